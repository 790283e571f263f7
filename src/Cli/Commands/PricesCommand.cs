using System.CommandLine;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops prices</c>: the price catalogue (USD per 1M tokens); <c>--import FILE</c> merges a LiteLLM
/// <c>model_prices_and_context_window.json</c> into it first; <c>--model TEXT</c> keeps the models whose id contains it.
/// </summary>
internal static class PricesCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var import = new Option<string?>("--import", "-i") { Description = "A LiteLLM model_prices_and_context_window.json to import into the catalogue." };
        var filter = new Option<string?>("--model", "-m") { Description = "Show only models whose id contains this text." };
        var command = new Command("prices", "List the price catalogue; import a LiteLLM price file.") { import, filter };
        command.SetAction(parse =>
        {
            var catalog = new PriceCatalog();
            if (parse.GetValue(import) is { } path)
            {
                LiteLlmImportResult result;
                try
                {
                    result = catalog.ImportLiteLlmFile(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliInputException($"cannot read '{path}': {Inputs.Reason(e)}");
                }
                catch (PriceFileFormatException e)
                {
                    throw new CliInputException(PromptOpsCli.OneLine(e.Message));
                }

                console.MarkupLine($"Imported [bold]{result.Imported:N0}[/] models from {Markup.Escape(path)} ({result.Skipped:N0} entries without per-token prices skipped).");
            }

            var text = parse.GetValue(filter);
            var entries = catalog.Entries
                .Where(e => text is null || e.Model.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Model, StringComparer.Ordinal)
                .ToList();
            if (entries.Count == 0)
            {
                throw new CliInputException(text is null ? "the catalogue is empty." : $"no model in the catalogue contains '{text}'.");
            }

            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("model").AddColumn("tier")
                .AddColumn(new TableColumn("input $/1M").RightAligned()).AddColumn(new TableColumn("cached input $/1M").RightAligned())
                .AddColumn(new TableColumn("output $/1M").RightAligned()).AddColumn(new TableColumn("batch discount").RightAligned()).AddColumn("self-hosted");
            foreach (var e in entries)
            {
                table.AddRow(Markup.Escape(e.Model), e.Tier is { } t ? ModelTiers.GetName(t) : "-", e.InputPerMillion.ToString("0.####"), e.CachedInputPerMillion.ToString("0.####"),
                    e.OutputPerMillion.ToString("0.####"), e.BatchDiscount == 0 ? "-" : e.BatchDiscount.ToString("P0"), e.SelfHosted ? "yes" : "");
            }

            console.Write(table);
            console.MarkupLine($"{entries.Count:N0} models.");
            return PromptOpsCli.Ok;
        });
        return command;
    }
}
