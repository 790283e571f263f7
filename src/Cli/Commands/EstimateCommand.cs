using System.CommandLine;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tokens;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops estimate</c>: the tokens of a prompt (text or file) and what it costs per request and per month on each
/// model, at a monthly volume and an output length (the task's default limit, or <c>--output-tokens</c>).
/// </summary>
internal static class EstimateCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var text = new Argument<string?>("text") { Description = "The prompt text (or use --file).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = "Read the prompt from this file." };
        var models = new Option<string[]>("--model", "-m") { Description = "Models to price (repeatable). Default: the common models (each tier's default and the models with a quality score); --all for every model in the catalogue.", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Price every model in the catalogue." };
        var catalogOption = Catalogs.CreateOption();
        var requests = new Option<long>("--requests", "-n") { Description = "Requests per month.", DefaultValueFactory = _ => 10_000 };
        var task = new Option<string?>("--task", "-t") { Description = "The task (classification, summary, …): its default output limit is the output length." };
        var outputTokens = new Option<int?>("--output-tokens", "-o") { Description = "Output tokens per request (default: the task's limit, else 500)." };
        var cached = new Option<double>("--cached-share") { Description = "Share of input tokens served from the provider's prompt cache (0–1).", DefaultValueFactory = _ => 0 };

        Validation.Check(requests, v => v <= 0 ? "--requests must be a positive number of requests per month." : null);
        Validation.Check(outputTokens, v => v is < 0 ? "--output-tokens cannot be negative." : null);
        Validation.Check(cached, v => v is < 0 or > 1 ? "--cached-share must be between 0 and 1." : null);
        Validation.Check(task, t => t is not null && !PromptTasks.TryGet(t, out _)
            ? $"unknown task '{t}'; known tasks: {string.Join(", ", PromptTasks.All.Select(x => x.Name))}." : null);

        var command = new Command("estimate", "Tokens and monthly cost of a prompt, per model and volume.") { text, file, models, all, requests, task, outputTokens, cached, catalogOption };
        command.Validators.Add(r =>
        {
            var hasText = r.GetValue(text) is not null;
            var hasFile = r.GetValue(file) is not null;
            if (hasText == hasFile) r.AddError("give the prompt either as text or with --file, not both and not neither.");
        });
        command.SetAction(parse =>
        {
            var prompt = parse.GetValue(text) ?? Inputs.ReadText(parse.GetValue(file)!);
            var (catalog, _, _) = Catalogs.Load(parse.GetValue(catalogOption));
            var monthly = parse.GetValue(requests);
            var taskName = parse.GetValue(task);
            var output = parse.GetValue(outputTokens)
                ?? (taskName is not null && PromptTasks.TryGet(taskName, out var info) ? info.MaxOutputTokens : PromptTasks.DefaultMaxOutputTokens);
            var cachedShare = parse.GetValue(cached);
            var names = parse.GetValue(models) is { Length: > 0 } chosen ? chosen
                : parse.GetValue(all) ? [.. catalog.Entries.Select(e => e.Model)]
                : [.. ModelTiers.All.Select(ModelTiers.GetDefaultModel).Concat(ModelQuality.Defaults.Select(q => q.Key)).Distinct(StringComparer.Ordinal)
                    .Where(m => catalog.TryGetPrice(m, out _))];

            var rows = new List<(string Model, string Tier, ITokenCounter Counter, int Tokens, decimal PerRequest, decimal Monthly)>();
            foreach (var name in names)
            {
                if (!catalog.TryGetPrice(name, out var price))
                    throw new CliInputException($"unknown model '{name}': it is not in the price catalogue (see 'promptops prices').");
                var counter = TokenCounters.ForModel(price.Model);
                var tokens = counter.CountTokens(prompt);
                var cachedTokens = (long)Math.Round(tokens * cachedShare);
                var perRequest = price.Cost(tokens, cachedTokens, output);
                rows.Add((price.Model, price.Tier is { } t ? ModelTiers.GetName(t) : "-", counter, tokens, perRequest, perRequest * monthly));
            }

            console.MarkupLine($"Prompt: [bold]{prompt.Length:N0}[/] characters; o200k [bold]{TiktokenTokenCounter.O200k.CountTokens(prompt):N0}[/] tokens, cl100k {TiktokenTokenCounter.Cl100k.CountTokens(prompt):N0} tokens.");
            console.MarkupLine($"Per request: the prompt as input{(cachedShare > 0 ? $" ({cachedShare:P0} of it from the provider's prompt cache)" : "")} and {output:N0} output tokens{(taskName is null ? "" : $" ({Markup.Escape(taskName)})")}; {monthly:N0} requests a month.");
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("model").AddColumn("tier").AddColumn("tokenizer").AddColumn(new TableColumn("input tokens").RightAligned())
                .AddColumn(new TableColumn("per request").RightAligned()).AddColumn(new TableColumn("per month").RightAligned());
            foreach (var row in rows.OrderBy(r => r.Monthly).ThenBy(r => r.Model, StringComparer.Ordinal))
            {
                table.AddRow(Markup.Escape(row.Model), row.Tier, row.Counter.IsExact ? row.Counter.Name : "estimate",
                    row.Tokens.ToString("N0"), "$" + row.PerRequest.ToString("0.000000"), "$" + row.Monthly.ToString("N2"));
            }

            console.Write(table);
            if (rows.Any(r => !r.Counter.IsExact))
                console.MarkupLine("[grey]estimate: no local tokenizer for the model; counted at about 4 characters a token.[/]");
            return PromptOpsCli.Ok;
        });
        return command;
    }
}
