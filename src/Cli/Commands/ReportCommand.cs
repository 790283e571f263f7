using System.CommandLine;
using PromptOps.Cli.Reports;
using PromptOps.Reports;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops report LEDGER</c>: daily, per-model, per-endpoint and per-user tables, a chart of daily cost, the Pareto
/// share of the top 20% of users, the peak hour, anomalies overall and per user, budget pace (<c>--budget</c>) and unit
/// economics (<c>--revenue</c>); <c>--user ID</c> shows one user; <c>--html FILE</c> also writes a self-contained HTML report.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var ledger = new Argument<string>("ledger") { Description = "The SQLite ledger file (PromptOps:Ledger:SqlitePath)." };
        var from = new Option<string?>("--from") { Description = "First day (yyyy-MM-dd, UTC)." };
        var to = new Option<string?>("--to") { Description = "Last day (yyyy-MM-dd, UTC), included." };
        var user = new Option<string?>("--user", "-u") { Description = "Show this user's report." };
        var budget = new Option<decimal?>("--budget", "-b") { Description = "Monthly budget in USD: adds the budget pace." };
        var asOf = new Option<DateTimeOffset?>("--as-of") { Description = "The time the budget pace is computed at (default: the ledger's last record)." };
        var revenue = new Option<decimal?>("--revenue") { Description = "Revenue of the period in USD: adds unit economics and gross margin." };
        var k = new Option<double>("--k") { Description = "Anomaly threshold: a day above mean + k·σ is a spike.", DefaultValueFactory = _ => 2.0 };
        var html = new Option<string?>("--html") { Description = "Also write a self-contained HTML report with charts to this file." };
        var budgetConfig = new Option<string?>("--budget-config")
        {
            Description = "An appsettings JSON file with the budget limits (PromptOps:Budget): adds each tenant's, user's and prompt's spend against its limit.",
        };
        var catalogOption = Catalogs.CreateOption();
        var (compare, baselineModel, baselineOutput) = CompareOptions();
        Validation.Check(budget, v => v is <= 0 ? "--budget must be a positive number of USD." : null);
        Validation.Check(revenue, v => v is < 0 ? "--revenue cannot be negative." : null);
        Validation.Check(k, v => v is > 0 and < 100 ? null : "--k must be a positive number of standard deviations.");

        var command = new Command("report", "Cost reports over a usage ledger: tables, charts, anomalies, budget pace; --html for a file.")
        {
            ledger, from, to, user, budget, asOf, revenue, k, html, catalogOption, compare, baselineModel, baselineOutput, budgetConfig,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(ledger)!;
            var first = Ledgers.ParseDay(parse.GetValue(from), "--from");
            var last = Ledgers.ParseDay(parse.GetValue(to), "--to");
            if (first is { } f0 && last is { } l0 && l0 < f0) throw new CliInputException("--to is before --from.", PromptOpsCli.UsageError);
            var (catalog, _, _) = Catalogs.Load(parse.GetValue(catalogOption));
            var (loaded, repriced) = Ledgers.PriceUnpriced(Ledgers.Load(path), catalog);
            ReportPeriod? period = first is null && last is null
                ? null
                : new ReportPeriod(first ?? loaded.Period?.From ?? last!.Value, last ?? loaded.Period?.To ?? first!.Value);
            if (period is { } p && p.To < p.From) throw new CliInputException($"the period {p.From:yyyy-MM-dd}..{p.To:yyyy-MM-dd} is empty.", PromptOpsCli.UsageError);

            var report = LedgerReport.Create(Path.GetFileName(path), loaded, period, parse.GetValue(budget), parse.GetValue(asOf), parse.GetValue(revenue), parse.GetValue(k), parse.GetValue(user)) with
            {
                Repriced = repriced,
                Catalog = catalog,
                Comparison = Compare(parse, compare, baselineModel, baselineOutput, loaded, catalog, period),
                Limits = parse.GetValue(budgetConfig) is { } config ? BudgetConfig.Load(config) : null,
            };
            ConsoleReport.Write(console, report);
            if (parse.GetValue(html) is { } file)
            {
                try
                {
                    await File.WriteAllTextAsync(file, HtmlReport.Render(report), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliInputException($"cannot write '{file}': {Inputs.Reason(e)}");
                }

                console.MarkupLine($"HTML report: {Markup.Escape(Path.GetFullPath(file))}");
            }

            return PromptOpsCli.Ok;
        });
        return command;
    }

    /// <summary>The <c>--compare</c> options: the baseline model (default: the best tier's) and the output tokens assumed per baseline answer.</summary>
    private static (Option<bool> Compare, Option<string?> Model, Option<long?> Output) CompareOptions()
    {
        var compare = new Option<bool>("--compare")
        {
            Description = "Re-price the ledger as if every call had gone to --baseline-model without PromptOps, and split the saving by lever (routing, output limits, cache, refusals), with what it assumes.",
        };
        var model = new Option<string?>("--baseline-model")
        {
            Description = $"The baseline model of --compare (default: the best tier's, {Knowledge.ModelTiers.GetDefaultModel(Knowledge.ModelTier.Best)}).",
        };
        var output = new Option<long?>("--baseline-output-tokens")
        {
            Description = "Output tokens per baseline answer for --compare (a baseline without output limits); default: each call's own (the same limits).",
        };
        Validation.Check(model, v => v is not null && string.IsNullOrWhiteSpace(v) ? "--baseline-model needs a model id." : null);
        Validation.Check(output, v => v is < 0 ? "--baseline-output-tokens cannot be negative." : null);
        return (compare, model, output);
    }

    private static BaselineComparison? Compare(ParseResult parse, Option<bool> compare, Option<string?> model, Option<long?> output, UsageLedger ledger,
        Pricing.PriceCatalog catalog, ReportPeriod? period)
    {
        var baseline = parse.GetValue(model);
        var tokens = parse.GetValue(output);
        if (!parse.GetValue(compare))
        {
            if (baseline is not null || tokens is not null) throw new CliInputException("--baseline-model and --baseline-output-tokens apply to --compare.", PromptOpsCli.UsageError);
            return null;
        }

        baseline ??= Knowledge.ModelTiers.GetDefaultModel(Knowledge.ModelTier.Best);
        if (!catalog.TryGetPrice(baseline, out _))
        {
            throw new CliInputException($"--baseline-model '{baseline}' has no price in the catalogue; `promptops prices` lists the priced models.", PromptOpsCli.UsageError);
        }

        return UsageReports.CompareWithBaseline(ledger.Records, catalog, baseline, tokens, period);
    }
}
