using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Reports;
using PromptOps.Usage;
using Spectre.Console;

namespace SupportTriage;

/// <summary>
/// The figures the sample prints about the PromptOps run, all computed from the ledger's records with the same code
/// <c>promptops report</c> uses (<see cref="UsageReports"/>), so the two agree on the same ledger.
/// </summary>
public sealed record SampleFigures(UsageTotals Totals, IReadOnlyList<UsageBreakdown> Models, IReadOnlyDictionary<string, int> RefusedBy)
{
    /// <summary>The figures of <paramref name="records"/>.</summary>
    public static SampleFigures Of(IReadOnlyList<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var refusedBy = records.Where(r => r.Outcome == UsageOutcome.Refused).GroupBy(r => r.LimitName ?? "(unknown)")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new SampleFigures(UsageReports.Daily(records).Totals, UsageReports.CostDrivers(records, top: int.MaxValue).TopModels, refusedBy);
    }
}

/// <summary>The end-of-run report: requests, provider calls, cache hits per layer, tokens billed and served from cache, cost, per-model rows.</summary>
public static class Report
{
    public static void Print(IAnsiConsole console, SampleFigures figures, IReadOnlyList<UsageRecord> records, RunResult result, int? providerCount, BudgetPaceReport pace)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(figures);
        var t = figures.Totals;
        int Hits(CacheLayer layer) => records.Count(r => r.CacheLayer == layer && r.Outcome == UsageOutcome.Success);
        string Rate(long n) => t.Requests == 0 ? "0" : $"{n:N0} ({(double)n / t.Requests:P1})";

        console.WriteLine();
        var summary = new Table().Border(TableBorder.Rounded).Title("[bold]Run[/] (from the ledger: promptops report shows the same)").AddColumn("").AddColumn(new TableColumn("").RightAligned());
        summary.AddRow("requests", t.Requests.ToString("N0"));
        summary.AddRow("provider calls", providerCount is { } n && n != t.ProviderCalls
            ? $"{t.ProviderCalls:N0} [red](the provider counted {n:N0})[/]"
            : t.ProviderCalls.ToString("N0") + (providerCount is null ? "" : " (the provider counted the same)"));
        summary.AddRow("cache hits: memory (L1)", Rate(Hits(CacheLayer.Memory)));
        summary.AddRow("cache hits: Redis (L2)", Rate(Hits(CacheLayer.Distributed)));
        summary.AddRow("cache hits: joined an in-flight call", Rate(Hits(CacheLayer.InFlight)));
        summary.AddRow("cache hits: semantic", Rate(Hits(CacheLayer.Semantic)));
        summary.AddRow("refused by a plan or the budget (not sent)", t.Refused == 0 ? "0"
            : $"{t.Refused:N0} ({string.Join(", ", figures.RefusedBy.Select(g => $"{g.Key} × {g.Value}"))})");
        summary.AddRow("failed", t.Failed.ToString("N0"));
        summary.AddRow("replies that matched no label", result.Failures.ToString("N0"));
        summary.AddRow("answers cut off at the output limit (truncated)", t.Truncated.ToString("N0"));
        summary.AddRow("escalations (ledger)", t.Escalations.ToString("N0"));
        summary.AddRow("tokens billed (input / output)", $"{t.BilledInputTokens:N0} / {t.BilledOutputTokens:N0}");
        summary.AddRow("tokens served from cache, not billed (input / output)", $"{t.CacheServedInputTokens:N0} / {t.CacheServedOutputTokens:N0}");
        summary.HideHeaders();
        console.Write(summary);

        var cost = new Table().Border(TableBorder.Rounded).Title("[bold]Cost[/]").AddColumn("").AddColumn(new TableColumn("USD").RightAligned());
        cost.AddRow("PromptOps: spent", t.UnpricedRequests > 0 ? $"{t.CostUsd:0.000000} [yellow]+ {t.UnpricedRequests:N0} unpriced calls (cost unknown)[/]" : t.CostUsd.ToString("0.000000"));
        cost.AddRow("PromptOps: saved by the cache", t.CostSavedUsd.ToString("0.000000"));
        cost.HideHeaders();
        console.Write(cost);

        var p = pace.Pace;
        var color = p.Status switch { BudgetPaceStatus.Critical => "red", BudgetPaceStatus.Warning => "yellow", _ => "green" };
        console.MarkupLine($"Budget: spent ${p.SpentUsd:0.0000} of ${p.MonthlyBudgetUsd:0.00} this month ({pace.Month.From:yyyy-MM}, as of {pace.AsOf:MM-dd HH:mm}); " +
                           $"pace {p.PaceRatio:0.00}× → [{color}]{p.Status}[/]; projected month end ${p.ProjectedMonthEndUsd:0.0000}.");

        var models = new Table().Border(TableBorder.Rounded).Title("[bold]By model[/]")
            .AddColumn("model").AddColumn(new TableColumn("requests").RightAligned()).AddColumn(new TableColumn("cache hits").RightAligned())
            .AddColumn(new TableColumn("billed in").RightAligned()).AddColumn(new TableColumn("billed out").RightAligned())
            .AddColumn(new TableColumn("from cache in").RightAligned()).AddColumn(new TableColumn("from cache out").RightAligned())
            .AddColumn(new TableColumn("spent $").RightAligned()).AddColumn(new TableColumn("saved $").RightAligned());
        foreach (var m in figures.Models)
        {
            var mt = m.Totals;
            models.AddRow(Markup.Escape(m.Key), mt.Requests.ToString("N0"), mt.CacheHits.ToString("N0"), mt.BilledInputTokens.ToString("N0"), mt.BilledOutputTokens.ToString("N0"),
                mt.CacheServedInputTokens.ToString("N0"), mt.CacheServedOutputTokens.ToString("N0"),
                mt.UnpricedRequests > 0 ? "[yellow]unpriced[/]" : mt.CostUsd.ToString("0.000000"), mt.CostSavedUsd.ToString("0.000000"));
        }

        console.Write(models);
    }
}
