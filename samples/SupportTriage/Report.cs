using PromptOps.Caching;
using PromptOps.Reports;
using PromptOps.Usage;
using Spectre.Console;

namespace SupportTriage;

/// <summary>The end-of-run report: requests, cache hit rates per layer, cost against the baseline, per-model costs.</summary>
public static class Report
{
    public static void Print(IAnsiConsole console, IReadOnlyList<UsageRecord> records, IReadOnlyList<UsageRecord> baseline, string bestModel, RunResult result, bool simulated,
        BudgetPaceReport pace)
    {
        var spent = records.Sum(r => r.CostUsd ?? 0m);
        var saved = records.Sum(r => r.CostSavedUsd ?? 0m);
        var naive = baseline.Sum(r => r.CostUsd ?? 0m);
        var saving = naive == 0 ? 0 : 1 - (spent / naive);
        int Hits(CacheLayer layer) => records.Count(r => r.CacheLayer == layer);
        double Rate(int n) => records.Count == 0 ? 0 : (double)n / records.Count;

        console.WriteLine();
        var summary = new Table().Border(TableBorder.Rounded).Title("[bold]Run[/]").AddColumn("").AddColumn(new TableColumn("").RightAligned());
        summary.AddRow("requests", records.Count.ToString("N0"));
        summary.AddRow("provider calls", records.Count(r => r.CacheLayer == CacheLayer.None).ToString("N0"));
        summary.AddRow("cache hits: memory (L1)", $"{Hits(CacheLayer.Memory):N0} ({Rate(Hits(CacheLayer.Memory)):P1})");
        summary.AddRow("cache hits: Redis (L2)", $"{Hits(CacheLayer.Distributed):N0} ({Rate(Hits(CacheLayer.Distributed)):P1})");
        summary.AddRow("cache hits: joined an in-flight call", $"{Hits(CacheLayer.InFlight):N0} ({Rate(Hits(CacheLayer.InFlight)):P1})");
        summary.AddRow("cache hits: semantic", $"{Hits(CacheLayer.Semantic):N0} ({Rate(Hits(CacheLayer.Semantic)):P1})");
        summary.AddRow("replies that matched no label", result.Failures.ToString("N0"));
        summary.AddRow("refused by a plan or the budget", result.Refused.Count == 0 ? "0"
            : $"{result.Refused.Count:N0} ({string.Join(", ", result.Refused.Values.GroupBy(v => v).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} × {g.Count()}"))})");
        summary.HideHeaders();
        console.Write(summary);

        var cost = new Table().Border(TableBorder.Rounded).Title("[bold]Cost[/]").AddColumn("").AddColumn(new TableColumn("USD").RightAligned());
        cost.AddRow("PromptOps: spent", spent.ToString("0.000000"));
        cost.AddRow("PromptOps: saved by the cache", saved.ToString("0.000000"));
        cost.AddRow($"naive baseline ({Markup.Escape(bestModel)}, no cache, no limits{(simulated ? "" : ", simulated")})", naive.ToString("0.000000"));
        cost.AddRow("[bold]saved against the baseline[/]", $"[bold]{saving:P1}[/] (goal ≥ 80%: {(saving >= 0.80m ? "[green]met[/]" : "[red]not met[/]")})");
        cost.HideHeaders();
        console.Write(cost);

        var p = pace.Pace;
        var color = p.Status switch { PromptOps.Budgets.BudgetPaceStatus.Critical => "red", PromptOps.Budgets.BudgetPaceStatus.Warning => "yellow", _ => "green" };
        console.MarkupLine($"Budget: spent ${p.SpentUsd:0.0000} of ${p.MonthlyBudgetUsd:0.00} this month ({pace.Month.From:yyyy-MM}, as of {pace.AsOf:MM-dd HH:mm}); " +
                           $"pace {p.PaceRatio:0.00}× → [{color}]{p.Status}[/]; projected month end ${p.ProjectedMonthEndUsd:0.0000}.");

        var models = new Table().Border(TableBorder.Rounded).Title("[bold]By model[/]")
            .AddColumn("model").AddColumn(new TableColumn("requests").RightAligned()).AddColumn(new TableColumn("cache hits").RightAligned())
            .AddColumn(new TableColumn("input tokens").RightAligned()).AddColumn(new TableColumn("output tokens").RightAligned())
            .AddColumn(new TableColumn("spent $").RightAligned()).AddColumn(new TableColumn("saved $").RightAligned());
        foreach (var g in records.Where(r => r.Outcome == UsageOutcome.Success).GroupBy(r => r.ModelId ?? "(unknown)").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var paid = g.Where(r => r.CacheLayer == CacheLayer.None).ToList();
            models.AddRow(Markup.Escape(g.Key), g.Count().ToString("N0"), g.Count(r => r.CacheLayer != CacheLayer.None).ToString("N0"),
                paid.Sum(r => r.InputTokens).ToString("N0"), paid.Sum(r => r.OutputTokens).ToString("N0"),
                g.Sum(r => r.CostUsd ?? 0m).ToString("0.000000"), g.Sum(r => r.CostSavedUsd ?? 0m).ToString("0.000000"));
        }

        var baselineOutput = baseline.Sum(r => r.OutputTokens);
        models.AddRow($"[grey]baseline: {Markup.Escape(bestModel)}[/]", baseline.Count.ToString("N0"), "0", baseline.Sum(r => r.InputTokens).ToString("N0"),
            baselineOutput.ToString("N0"), naive.ToString("0.000000"), "-");
        console.Write(models);
    }
}
