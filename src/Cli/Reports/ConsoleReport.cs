using PromptOps.Reports;
using Spectre.Console;

namespace PromptOps.Cli.Reports;

/// <summary>Renders a <see cref="LedgerReport"/> as console tables and charts.</summary>
internal static class ConsoleReport
{
    public static void Write(IAnsiConsole console, LedgerReport report)
    {
        var t = report.Daily.Totals;
        console.MarkupLine($"[bold]PromptOps usage report[/] — {Markup.Escape(report.Source)}, {(report.Period is { } p ? $"{p.From:yyyy-MM-dd} to {p.To:yyyy-MM-dd} ({p.Days} days)" : "no records")}");
        console.MarkupLine($"{t.Requests:N0} requests, spent [bold]${t.CostUsd:N4}[/], saved by the cache ${t.CostSavedUsd:N4}, cache-hit rate {t.CacheHitRate:P1}; " +
                           $"{t.Failed:N0} failed, {t.Refused:N0} refused, {t.Cancelled:N0} cancelled{(t.UnpricedRequests > 0 ? $", [yellow]{t.UnpricedRequests:N0} unpriced[/]" : "")}.");
        WriteCalls(console, t);
        if (t.EstimatedRequests > 0)
        {
            console.MarkupLine($"[yellow]Estimated:[/] ${t.EstimatedCostUsd:N4} of the ${t.CostUsd:N4} spent is estimated ({t.EstimatedRequests:N0} responses without usage; tokens counted locally).");
        }

        if (t.Truncated > 0)
        {
            // A limit that is too tight shows the day it starts cutting answers: per endpoint (the prompt id by default).
            var cut = report.Drivers.TopEndpoints.Where(e => e.Totals.Truncated > 0).Select(e => $"{Markup.Escape(e.Key)} ({e.Totals.Truncated:N0})");
            console.MarkupLine($"[yellow]Cut off:[/] {t.Truncated:N0} answers ended on their output-token limit; by endpoint: {string.Join(", ", cut)}.");
        }

        WriteReplyQuality(console, report.ReplyQuality);
        WriteScopeBudgets(console, report.ScopeBudgets);
        WriteConversations(console, report.Conversations);
        WriteProviderCache(console, report.ProviderCache);
        if (report.Repriced > 0)
        {
            console.MarkupLine($"Priced now: {report.Repriced:N0} calls recorded as unpriced are priced with the current catalogue.");
        }
        if (report.User is { } user)
        {
            WriteUser(console, user);
            return;
        }

        console.WriteLine();
        var daily = new Table().Border(TableBorder.Simple).Title("Daily")
            .AddColumn("date").AddColumn(new TableColumn("requests").RightAligned()).AddColumn(new TableColumn("cache hits").RightAligned())
            .AddColumn(new TableColumn("cost $").RightAligned()).AddColumn(new TableColumn("saved $").RightAligned()).AddColumn("top model");
        foreach (var d in report.Daily.Days)
        {
            daily.AddRow(d.Date.ToString("yyyy-MM-dd"), d.Totals.Requests.ToString("N0"), d.Totals.CacheHitRate.ToString("P1"),
                d.Totals.CostUsd.ToString("N4"), d.Totals.CostSavedUsd.ToString("N4"), Markup.Escape((d.ByModel.Count > 0 ? d.ByModel[0].Key : "-")));
        }

        console.Write(daily);
        if (report.Daily.Days.Count > 0)
        {
            var chart = new BarChart().Label("Daily cost ($)").Width(Math.Min(100, console.Profile.Width - 2));
            foreach (var d in report.Daily.Days) chart.AddItem(d.Date.ToString("MM-dd"), (double)d.Totals.CostUsd, Color.Green);
            console.Write(chart);
        }

        WriteBreakdown(console, "By model", "model", report.Drivers.TopModels);
        WriteBreakdown(console, "By endpoint", "endpoint", report.Drivers.TopEndpoints);
        WriteBreakdown(console, "Top users", "user", report.Drivers.TopUsers);

        var d2 = report.Drivers;
        console.MarkupLine($"Pareto: the top {d2.TopUserCount:N0} of {d2.Users:N0} users (20%) account for [bold]{d2.TopUsersShareOfCost:P1}[/] of the cost attributed to users" +
                           (d2.UnattributedCostUsd > 0 ? $" (${d2.UnattributedCostUsd:N4} has no user)." : "."));
        if (d2.PeakHour is { } hour)
        {
            var peak = d2.ByHour[hour];
            console.MarkupLine($"Peak hour (UTC): [bold]{hour:00}:00–{hour:00}:59[/], {peak.Requests:N0} requests, ${peak.CostUsd:N4}.");
        }

        WriteAnomalies(console, report.Anomalies);
        if (report.Pace is { } pace) WritePace(console, pace);
        if (report.UnitEconomics is { } unit) WriteUnit(console, unit);
        if (report.Comparison is { } comparison) WriteComparison(console, comparison);
    }

    /// <summary>Provider calls (refused and cached requests are not calls) and tokens billed apart from tokens served from a cache.</summary>
    private static void WriteCalls(IAnsiConsole console, UsageTotals t)
    {
        console.MarkupLine($"{t.ProviderCalls:N0} provider calls; tokens billed {t.BilledInputTokens:N0} in / {t.BilledOutputTokens:N0} out; " +
                           $"served from cache (not billed) {t.CacheServedInputTokens:N0} in / {t.CacheServedOutputTokens:N0} out; {t.Escalations:N0} escalations.");
    }

    private static void WriteComparison(IAnsiConsole console, BaselineComparison c)
    {
        console.WriteLine();
        console.MarkupLine($"[bold]Compared with {Markup.Escape(c.BaselineModel)}[/]: baseline ${c.BaselineUsd:N6}, spent ${c.SpentUsd:N6}, saved [bold]${c.SavedUsd:N6} ({c.SavedShare:P1})[/] on {c.Compared:N0} requests.");
        if (c.UnpricedCalls > 0) console.MarkupLine($"  [yellow]{c.UnpricedCalls:N0} calls to models without a price are left out of both sides.[/]");
        var table = new Table().Border(TableBorder.Simple).Title("Saved, by lever (a negative saving costs more than the baseline)")
            .AddColumn("lever").AddColumn(new TableColumn("saved $").RightAligned()).AddColumn(new TableColumn("of baseline").RightAligned());
        string Share(decimal v) => c.BaselineUsd == 0 ? "-" : (v / c.BaselineUsd).ToString("P1");
        void Row(string lever, decimal? v) => table.AddRow(lever, v is { } x ? x.ToString("N6") : "-", v is { } y ? Share(y) : "not derivable");
        Row("routing (model vs baseline price)", c.RoutingUsd);
        Row(c.BaselineOutputTokens is null ? "output limits (assumed the same)" : "output limits", c.LimitsUsd);
        Row("cache: exact", c.ExactCacheUsd);
        Row("cache: semantic", c.SemanticCacheUsd);
        Row("compression", null);
        Row($"budget and plan refusals ({c.Refused:N0})", c.RefusalsUsd);
        table.AddRow("[bold]total[/]", $"[bold]{c.SavedUsd:N6}[/]", $"[bold]{Share(c.SavedUsd)}[/]");
        console.Write(table);
        foreach (var a in c.Assumptions) console.MarkupLine($"  [grey]- {Markup.Escape(a)}[/]");
    }

    /// <summary>
    /// Per prompt: answers cut off at their limit, escalations to a higher tier and replies that failed validation, so a
    /// limit that is too tight or a tier that is too cheap shows the day it starts costing answers.
    /// </summary>
    private static void WriteReplyQuality(IAnsiConsole console, ReplyQualityReport q)
    {
        if (q.Requests == 0) return;
        if (q.IsClean)
        {
            console.MarkupLine("Replies: no answer cut off, no escalation, no reply that failed validation.");
            return;
        }

        console.MarkupLine($"Replies: [yellow]{q.Truncated:N0} cut off, {q.Escalations:N0} escalations, {q.ReplyInvalid:N0} failed validation[/] in {q.Requests:N0} requests.");
        var table = new Table().Border(TableBorder.Simple).Title("Replies by prompt")
            .AddColumn("prompt").AddColumn(new TableColumn("requests").RightAligned()).AddColumn(new TableColumn("cut off").RightAligned())
            .AddColumn(new TableColumn("escalations").RightAligned()).AddColumn(new TableColumn("failed validation").RightAligned());
        foreach (var p in q.Prompts)
        {
            table.AddRow(Markup.Escape(p.PromptId), p.Requests.ToString("N0"), p.Truncated.ToString("N0"), p.Escalations.ToString("N0"), p.ReplyInvalid.ToString("N0"));
        }

        console.Write(table);
    }

    /// <summary>
    /// Spend per scope (application, tenants, users, prompts) against the limits of <c>--budget-config</c>, and the budget's
    /// alerts and actions of the period; nothing when the ledger has neither tenants nor events and no limits were given.
    /// </summary>
    private static void WriteScopeBudgets(IAnsiConsole console, ScopeBudgetReport b)
    {
        if (!b.HasLimits && b.Events.Count == 0 && !b.IdCount.ContainsKey(PromptOps.Budgets.BudgetScope.Tenant)) return;
        var table = new Table().Border(TableBorder.Simple).Title(b.HasLimits ? "Budgets by scope (peak day and last month against the limits)" : "Spend by scope (no --budget-config: no limits)")
            .AddColumn("scope").AddColumn("id").AddColumn(new TableColumn("peak day $").RightAligned()).AddColumn(new TableColumn("daily limit").RightAligned())
            .AddColumn(new TableColumn("month $").RightAligned()).AddColumn(new TableColumn("monthly limit").RightAligned()).AddColumn(new TableColumn("used").RightAligned());
        foreach (var r in b.Rows)
        {
            var used = r.MaxShare is { } share ? (share > 1 ? $"[red]{share:P0}[/]" : share >= 0.8m ? $"[yellow]{share:P0}[/]" : $"{share:P0}") : "-";
            table.AddRow(r.Scope.ToString().ToLowerInvariant(), Markup.Escape(r.Id ?? "-"), $"{r.PeakDayUsd:N4} ({r.PeakDay:MM-dd})", r.DailyLimitUsd is { } d ? d.ToString("N4") : "-",
                $"{r.MonthUsd:N4}", r.MonthlyLimitUsd is { } m ? m.ToString("N4") : "-", used);
        }

        console.Write(table);
        var counts = string.Join(", ", b.IdCount.Where(c => c.Key != PromptOps.Budgets.BudgetScope.Application).Select(c => $"{c.Value:N0} {c.Key.ToString().ToLowerInvariant()}s"));
        if (counts.Length > 0) console.MarkupLine($"[grey]In the period: {Markup.Escape(counts)} (the top 10 of each and every one over a limit shown).[/]");
        if (b.Events.Count == 0)
        {
            console.MarkupLine("Budget alerts and actions: none recorded in the period.");
            return;
        }

        console.MarkupLine($"Budget alerts and actions ({b.Events.Count:N0}):");
        foreach (var e in b.Events) console.MarkupLine($"  {e.At:yyyy-MM-dd HH:mm} {Markup.Escape(LedgerReport.Describe(e))}");
    }

    /// <summary>The provider's own prompt cache (only when a call read from it or wrote to it): what its reads saved, net of the writes' premium.</summary>
    private static void WriteProviderCache(IAnsiConsole console, ProviderCacheReport c)
    {
        if (c.CacheReadTokens == 0 && c.CacheWriteTokens == 0) return;
        console.MarkupLine($"Provider prompt cache: saved [bold]${c.NetSavedUsd:N4}[/] (reads ${c.ReadSavingsUsd:N4} below the input price, writes ${c.WritePremiumUsd:N4} above it); " +
                           $"{c.CacheReadTokens:N0} of {c.InputTokens:N0} input tokens ({c.ReadShare:P1}) read from it in {c.CallsWithReads:N0} of {c.Calls:N0} calls, " +
                           $"{c.CacheWriteTokens:N0} written in {c.CallsWithWrites:N0}; without it the calls would have cost ${c.CostWithoutCacheUsd:N4}" +
                           $"{(c.UnpricedCalls > 0 ? $"; [yellow]{c.UnpricedCalls:N0} calls of unpriced models not counted[/]" : "")}.");
    }

    /// <summary>Conversations (ledger records with a conversation id): how the input grew from the first call to the last.</summary>
    private static void WriteConversations(IAnsiConsole console, ConversationReport c)
    {
        if (c.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).Title($"Conversations (top {c.Conversations.Count} of {c.Count:N0} by input tokens)")
            .AddColumn("conversation").AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("first in").RightAligned())
            .AddColumn(new TableColumn("last in").RightAligned()).AddColumn(new TableColumn("growth").RightAligned())
            .AddColumn(new TableColumn("all in").RightAligned()).AddColumn(new TableColumn("cost $").RightAligned());
        foreach (var x in c.Conversations)
        {
            table.AddRow(Markup.Escape(x.ConversationId), x.Calls.ToString("N0"), x.FirstInputTokens.ToString("N0"), x.LastInputTokens.ToString("N0"),
                $"{x.Growth:0.0}×", x.TotalInputTokens.ToString("N0"), x.CostUsd.ToString("N4"));
        }

        console.Write(table);
    }

    private static void WriteBreakdown(IAnsiConsole console, string title, string key, IReadOnlyList<UsageBreakdown> rows)
    {
        if (rows.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).Title(title)
            .AddColumn(key).AddColumn(new TableColumn("requests").RightAligned()).AddColumn(new TableColumn("billed in").RightAligned())
            .AddColumn(new TableColumn("billed out").RightAligned()).AddColumn(new TableColumn("from cache in").RightAligned())
            .AddColumn(new TableColumn("from cache out").RightAligned()).AddColumn(new TableColumn("cost $").RightAligned())
            .AddColumn(new TableColumn("share").RightAligned()).AddColumn(new TableColumn("cache hits").RightAligned());
        foreach (var r in rows)
        {
            table.AddRow(Markup.Escape(r.Key), r.Totals.Requests.ToString("N0"), r.Totals.BilledInputTokens.ToString("N0"), r.Totals.BilledOutputTokens.ToString("N0"),
                r.Totals.CacheServedInputTokens.ToString("N0"), r.Totals.CacheServedOutputTokens.ToString("N0"),
                r.Totals.CostUsd.ToString("N4"), r.ShareOfCost.ToString("P1"), r.Totals.CacheHitRate.ToString("P1"));
        }

        console.Write(table);
    }

    private static void WriteAnomalies(IAnsiConsole console, AnomalyReport a)
    {
        if (!a.Overall.Evaluated)
        {
            console.MarkupLine($"Anomalies: not evaluated ({a.Overall.Days} days; at least {a.MinDays} are needed).");
            return;
        }

        console.MarkupLine($"Anomalies (a day above mean + {a.K:0.#}σ): daily mean ${a.Overall.MeanUsd:N4}, σ ${a.Overall.StdDevUsd:N4}, threshold ${a.Overall.ThresholdUsd:N4}; " +
                           $"{a.Spikes.Count} spike day(s) overall, {a.Users.Count} user(s) with spikes.");
        foreach (var s in a.Spikes) console.MarkupLine($"  [red]{s.Date:yyyy-MM-dd}[/] ${s.CostUsd:N4} (z = {s.ZScore:0.0}, +${s.ExcessUsd:N4} over the mean)");
        foreach (var u in a.Users)
        {
            foreach (var s in u.Spikes) console.MarkupLine($"  user [bold]{Markup.Escape(u.UserId)}[/]: [red]{s.Date:yyyy-MM-dd}[/] ${s.CostUsd:N4} (z = {s.ZScore:0.0}; their mean ${u.Stats.MeanUsd:N4})");
        }
    }

    private static void WritePace(IAnsiConsole console, BudgetPaceReport pace)
    {
        var p = pace.Pace;
        var color = p.Status switch { Budgets.BudgetPaceStatus.Critical => "red", Budgets.BudgetPaceStatus.Warning => "yellow", _ => "green" };
        console.MarkupLine($"Budget pace, {pace.Month.From:yyyy-MM} as of {pace.AsOf:yyyy-MM-dd HH:mm} UTC: spent ${p.SpentUsd:N2} of ${p.MonthlyBudgetUsd:N2}; linear pace ${p.ExpectedSpendUsd:N2}; " +
                           $"ratio {p.PaceRatio:0.00}× → [{color}]{p.Status}[/]; projected month end ${p.ProjectedMonthEndUsd:N2}.");
        foreach (var action in p.RecommendedActions) console.MarkupLine($"  - {Markup.Escape(action)}");
    }

    private static void WriteUnit(IAnsiConsole console, UnitEconomicsReport u)
    {
        console.MarkupLine($"Unit economics: revenue ${u.RevenueUsd:N2}, AI cost ${u.AiCostUsd:N2} ({(u.AiCostShareOfRevenue is { } s ? s.ToString("P1") : "-")} of revenue), " +
                           $"cost per request ${(u.CostPerRequestUsd ?? 0):N6}, per active user ${(u.CostPerActiveUserUsd ?? 0):N4};");
        console.MarkupLine($"  gross margin {(u.GrossMargin is { } m ? m.ToString("P1") : "-")} → [bold]{u.Health}[/]{(u.UnpricedRequests > 0 ? $" ({u.UnpricedRequests:N0} unpriced requests: the true margin is lower)" : "")}.");
    }

    private static void WriteUser(IAnsiConsole console, UserReport user)
    {
        console.MarkupLine($"User [bold]{Markup.Escape(user.UserId)}[/]: {user.Totals.Requests:N0} requests on {user.ActiveDays} active day(s), ${user.Totals.CostUsd:N4}, ${user.AverageDailyCostUsd:N4} a day on average.");
        var chart = new BarChart().Label("Daily cost ($)").Width(Math.Min(100, console.Profile.Width - 2));
        foreach (var d in user.DailyCosts) chart.AddItem(d.Date.ToString("MM-dd"), (double)d.CostUsd, Color.Green);
        console.Write(chart);
        WriteBreakdown(console, "Models", "model", user.Models);
    }
}
