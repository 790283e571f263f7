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
        var catalogOption = Catalogs.CreateOption();
        Validation.Check(budget, v => v is <= 0 ? "--budget must be a positive number of USD." : null);
        Validation.Check(revenue, v => v is < 0 ? "--revenue cannot be negative." : null);
        Validation.Check(k, v => v is > 0 and < 100 ? null : "--k must be a positive number of standard deviations.");

        var command = new Command("report", "Cost reports over a usage ledger: tables, charts, anomalies, budget pace; --html for a file.")
        {
            ledger, from, to, user, budget, asOf, revenue, k, html, catalogOption,
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

            var report = LedgerReport.Create(Path.GetFileName(path), loaded, period, parse.GetValue(budget), parse.GetValue(asOf), parse.GetValue(revenue), parse.GetValue(k), parse.GetValue(user)) with { Repriced = repriced };
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
}
