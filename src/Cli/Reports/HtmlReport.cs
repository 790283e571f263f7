using System.Globalization;
using System.Net;
using System.Text;
using PromptOps.Reports;

namespace PromptOps.Cli.Reports;

/// <summary>
/// Renders a <see cref="LedgerReport"/> as one self-contained HTML file: inline CSS, charts as inline SVG (daily cost,
/// cost by model, Pareto curve of users, cost by hour), tables, no external resource and no script but a short self-check
/// that records what the browser laid out in <c>body[data-check]</c> (tests read it in headless Chromium).
/// </summary>
internal static class HtmlReport
{
    public static string Render(LedgerReport report)
    {
        var html = new StringBuilder();
        var t = report.Daily.Totals;
        var title = "PromptOps usage report — " + report.Source;
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append("</title><style>")
            .Append("body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}")
            .Append("h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}")
            .Append(".cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{border:1px solid #d0d7de;border-radius:8px;padding:.6rem 1rem;min-width:10rem}")
            .Append(".card b{display:block;font-size:1.3rem}table{border-collapse:collapse;width:100%;font-size:.9rem}")
            .Append("th,td{padding:.3rem .5rem;border-bottom:1px solid #eaeef2;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}")
            .Append("svg.chart{width:100%;height:auto;background:#fafbfc;border:1px solid #eaeef2;border-radius:6px}")
            .Append(".bar{fill:#2da44e}.bar.spike{fill:#cf222e}.axis{stroke:#8c959f;stroke-width:1}.label{font-size:11px;fill:#57606a}")
            .Append(".curve{fill:none;stroke:#0969da;stroke-width:2}.diag{stroke:#d0d7de;stroke-dasharray:4}.warn{color:#9a6700}.bad{color:#cf222e}.ok{color:#1a7f37}")
            .Append("</style></head><body>\n");

        html.Append("<h1>").Append(E(title)).Append("</h1>\n<p>")
            .Append(report.Period is { } p ? E($"{p.From:yyyy-MM-dd} to {p.To:yyyy-MM-dd} ({p.Days} days)") : "No records.").Append("</p>\n");
        html.Append("<div class=\"cards\">")
            .Append(Card("requests", t.Requests.ToString("N0", Inv)))
            .Append(Card("spent", Usd(t.CostUsd)))
            .Append(Card("saved by the cache", Usd(t.CostSavedUsd)))
            .Append(Card("cache-hit rate", t.CacheHitRate.ToString("P1", Inv)))
            .Append(Card("failed / refused", $"{t.Failed:N0} / {t.Refused:N0}"))
            .Append(Card("provider calls", t.ProviderCalls.ToString("N0", Inv)))
            .Append(Card("tokens billed (in / out)", $"{t.BilledInputTokens:N0} / {t.BilledOutputTokens:N0}"))
            .Append(Card("tokens served from cache (in / out)", $"{t.CacheServedInputTokens:N0} / {t.CacheServedOutputTokens:N0}"))
            .Append(Card("unpriced requests", t.UnpricedRequests.ToString("N0", Inv)))
            .Append(Card("of it estimated (no usage reported)", Usd(t.EstimatedCostUsd)))
            .Append("</div>\n");

        if (report.User is { } user)
        {
            html.Append("<h2>User ").Append(E(user.UserId)).Append("</h2>\n<p>")
                .Append(E($"{user.Totals.Requests:N0} requests on {user.ActiveDays} active day(s), {Usd(user.Totals.CostUsd)}, {Usd(user.AverageDailyCostUsd)} a day on average."))
                .Append("</p>\n");
            html.Append(BarChart("user-daily", "Daily cost of " + user.UserId, user.DailyCosts.Select(d => (d.Date.ToString("MM-dd", Inv), (double)d.CostUsd, false)).ToList()));
            html.Append(Breakdown("Models", "model", user.Models));
            return Finish(html);
        }

        var spikes = report.Anomalies.Spikes.Select(s => s.Date).ToHashSet();
        html.Append("<h2>Daily cost</h2>\n")
            .Append(BarChart("daily", "Daily cost (USD); red: a spike day", report.Daily.Days.Select(d => (d.Date.ToString("MM-dd", Inv), (double)d.Totals.CostUsd, spikes.Contains(d.Date))).ToList()));
        html.Append("<table><thead><tr><th>date</th><th class=\"n\">requests</th><th class=\"n\">cache hits</th><th class=\"n\">cost</th><th class=\"n\">saved</th><th>top model</th><th>top endpoint</th></tr></thead><tbody>");
        foreach (var d in report.Daily.Days)
        {
            html.Append("<tr><td>").Append(d.Date.ToString("yyyy-MM-dd", Inv)).Append("</td>")
                .Append(N(d.Totals.Requests.ToString("N0", Inv))).Append(N(d.Totals.CacheHitRate.ToString("P1", Inv)))
                .Append(N(Usd(d.Totals.CostUsd))).Append(N(Usd(d.Totals.CostSavedUsd)))
                .Append("<td>").Append(E((d.ByModel.Count > 0 ? d.ByModel[0].Key : "-"))).Append("</td><td>").Append(E((d.ByEndpoint.Count > 0 ? d.ByEndpoint[0].Key : "-"))).Append("</td></tr>");
        }

        html.Append("</tbody></table>\n");

        html.Append("<h2>Cost by model</h2>\n")
            .Append(BarChart("models", "Cost by model (USD)", report.Drivers.TopModels.Select(m => (m.Key, (double)m.Totals.CostUsd, false)).ToList()))
            .Append(Breakdown(null, "model", report.Drivers.TopModels));
        html.Append(Breakdown("Cost by endpoint", "endpoint", report.Drivers.TopEndpoints));

        html.Append(ReplyQuality(report.ReplyQuality));
        html.Append(ScopeBudgets(report.ScopeBudgets));
        html.Append(Conversations(report.Conversations));
        html.Append(ProviderCache(report.ProviderCache));

        var d2 = report.Drivers;
        html.Append("<h2>Users</h2>\n<p>").Append(E($"The top {d2.TopUserCount:N0} of {d2.Users:N0} users (20%) account for {d2.TopUsersShareOfCost:P1} of the cost attributed to users."));
        if (d2.UnattributedCostUsd > 0) html.Append(E($" {Usd(d2.UnattributedCostUsd)} has no user."));
        html.Append("</p>\n").Append(Pareto(report.ParetoCurve())).Append(Breakdown(null, "user", d2.TopUsers));

        html.Append("<h2>Cost by hour (UTC)</h2>\n");
        if (d2.PeakHour is { } peak) html.Append("<p>").Append(E($"Peak hour: {peak:00}:00–{peak:00}:59, {d2.ByHour[peak].Requests:N0} requests, {Usd(d2.ByHour[peak].CostUsd)}.")).Append("</p>\n");
        html.Append(BarChart("hours", "Cost by hour of day (USD)", d2.ByHour.Select(h => (h.Hour.ToString("00", Inv), (double)h.CostUsd, h.Hour == d2.PeakHour)).ToList()));

        var a = report.Anomalies;
        html.Append("<h2>Anomalies</h2>\n<p>");
        if (!a.Overall.Evaluated)
        {
            html.Append(E($"Not evaluated: {a.Overall.Days} days; at least {a.MinDays} are needed."));
        }
        else
        {
            html.Append(E($"A day above mean + {a.K:0.#}σ is a spike. Daily mean {Usd(a.Overall.MeanUsd)}, σ {Usd(a.Overall.StdDevUsd)}, threshold {Usd(a.Overall.ThresholdUsd)}."));
        }

        html.Append("</p>\n<ul>");
        foreach (var s in a.Spikes) html.Append("<li class=\"bad\">").Append(E($"{s.Date:yyyy-MM-dd}: {Usd(s.CostUsd)} (z = {s.ZScore:0.0})")).Append("</li>");
        foreach (var u in a.Users)
        {
            foreach (var s in u.Spikes) html.Append("<li class=\"bad\">").Append(E($"user {u.UserId}, {s.Date:yyyy-MM-dd}: {Usd(s.CostUsd)} (z = {s.ZScore:0.0}; their mean {Usd(u.Stats.MeanUsd)})")).Append("</li>");
        }

        if (a.Overall.Evaluated && a.Spikes.Count == 0 && a.Users.Count == 0) html.Append("<li class=\"ok\">No spike.</li>");
        html.Append("</ul>\n");

        if (report.Pace is { } pace)
        {
            var pc = pace.Pace;
            var cls = pc.Status switch { Budgets.BudgetPaceStatus.Critical => "bad", Budgets.BudgetPaceStatus.Warning => "warn", _ => "ok" };
            html.Append("<h2>Budget pace</h2>\n<p>").Append(E($"{pace.Month.From:yyyy-MM} as of {pace.AsOf:yyyy-MM-dd HH:mm} UTC: spent {Usd(pc.SpentUsd)} of {Usd(pc.MonthlyBudgetUsd)}; linear pace {Usd(pc.ExpectedSpendUsd)}; ratio {pc.PaceRatio:0.00}×; projected month end {Usd(pc.ProjectedMonthEndUsd)}. Status: "))
                .Append("<b class=\"").Append(cls).Append("\">").Append(E(pc.Status.ToString())).Append("</b></p>\n<ul>");
            foreach (var action in pc.RecommendedActions) html.Append("<li>").Append(E(action)).Append("</li>");
            html.Append("</ul>\n");
        }

        if (report.UnitEconomics is { } unit)
        {
            html.Append("<h2>Unit economics</h2>\n<p>").Append(E($"Revenue {Usd(unit.RevenueUsd)}, AI cost {Usd(unit.AiCostUsd)} ({(unit.AiCostShareOfRevenue is { } s ? s.ToString("P1", Inv) : "-")} of revenue); gross margin {(unit.GrossMargin is { } m ? m.ToString("P1", Inv) : "-")}: {unit.Health}.")).Append("</p>\n");
        }

        return Finish(html);
    }

    private static string Finish(StringBuilder html)
    {
        html.Append("<script>(function(){var c=document.querySelectorAll('svg.chart'),b=document.querySelectorAll('svg.chart rect.bar'),v=0,w=0;")
            .Append("for(var i=0;i<b.length;i++){var r=b[i].getBoundingClientRect();if(r.width>0&&r.height>0)v++;}")
            .Append("for(var j=0;j<c.length;j++){if(c[j].getBoundingClientRect().width>100)w++;}")
            .Append("document.body.setAttribute('data-check','charts='+c.length+';wide-charts='+w+';bars='+b.length+';visible-bars='+v);})();</script>\n")
            .Append("</body></html>\n");
        return html.ToString();
    }

    /// <summary>A vertical bar chart; a zero value draws a 1-pixel bar so every category stays visible.</summary>
    private static string BarChart(string id, string caption, IReadOnlyList<(string Label, double Value, bool Highlight)> items)
    {
        if (items.Count == 0) return "<p>No data.</p>\n";
        const int Height = 220, Top = 24, Bottom = 40, Left = 56, Right = 12;
        var barWidth = Math.Clamp(800 / items.Count, 8, 60);
        var width = Math.Max(640, Left + Right + items.Count * barWidth); // few bars stay bar-sized, not stretched
        var max = Math.Max(items.Max(i => i.Value), 1e-12);
        var plot = Height - Top - Bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"chart-{E(id)}\" viewBox=\"0 0 {width} {Height}\" role=\"img\" aria-label=\"{E(caption)}\">")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{Left}\" y=\"14\">{E(caption)}; max {max.ToString("0.####", Inv)}</text>")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top + plot}\" x2=\"{width - Right}\" y2=\"{Top + plot}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plot}\"/>");
        var every = Math.Max(1, (int)Math.Ceiling(44.0 / barWidth)); // a label every ~44 units, so labels never overlap
        for (var i = 0; i < items.Count; i++)
        {
            var (label, value, highlight) = items[i];
            var h = Math.Max(1, value / max * plot);
            var x = Left + i * barWidth + 1;
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar{(highlight ? " spike" : "")}\" x=\"{x}\" y=\"{(Top + plot - h).ToString("0.##", Inv)}\" width=\"{barWidth - 2}\" height=\"{h.ToString("0.##", Inv)}\"><title>{E(label)}: {value.ToString("0.######", Inv)}</title></rect>");
            if (i % every == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{x}\" y=\"{Top + plot + 14}\">{E(label.Length > 14 ? label[..13] + "…" : label)}</text>");
            }
        }

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>The Pareto curve: cumulative share of cost against the share of users, most expensive first.</summary>
    private static string Pareto(IReadOnlyList<(double Users, double Cost)> points)
    {
        if (points.Count < 2) return "<p>No user data.</p>\n";
        const int W = 420, H = 260, M = 36;
        var path = string.Join(" ", points.Select((pt, i) => (i == 0 ? "M" : "L") + (M + pt.Users * (W - 2 * M)).ToString("0.##", Inv) + "," + (H - M - pt.Cost * (H - 2 * M)).ToString("0.##", Inv)));
        return new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"chart-pareto\" viewBox=\"0 0 {W} {H}\" style=\"max-width:{W}px\" role=\"img\" aria-label=\"Pareto curve of users\">")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{M}\" y1=\"{H - M}\" x2=\"{W - M}\" y2=\"{H - M}\"/><line class=\"axis\" x1=\"{M}\" y1=\"{M}\" x2=\"{M}\" y2=\"{H - M}\"/>")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"diag\" x1=\"{M}\" y1=\"{H - M}\" x2=\"{W - M}\" y2=\"{M}\"/>")
            .Append("<path class=\"curve\" d=\"").Append(path).Append("\"/>")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"{M}\" y=\"{H - 8}\">share of users, most expensive first →</text>")
            .Append(CultureInfo.InvariantCulture, $"<text class=\"label\" x=\"4\" y=\"{M - 10}\">cumulative share of cost</text>")
            .Append("</svg>\n").ToString();
    }

    /// <summary>The "Replies" section: cut-off answers, escalations and replies that failed validation per prompt.</summary>
    private static string ReplyQuality(ReplyQualityReport q)
    {
        var html = new StringBuilder("<h2 id=\"replies\">Replies</h2>\n<p>");
        if (q.IsClean)
        {
            return html.Append("No answer cut off at its output limit, no escalation to a higher tier, no reply that failed validation.</p>\n").ToString();
        }

        html.Append("<span class=\"warn\">").Append(E($"{q.Truncated:N0} cut off, {q.Escalations:N0} escalations, {q.ReplyInvalid:N0} failed validation"))
            .Append("</span>").Append(E($" in {q.Requests:N0} requests.")).Append("</p>\n")
            .Append("<table><thead><tr><th>prompt</th><th class=\"n\">requests</th><th class=\"n\">cut off</th><th class=\"n\">escalations</th><th class=\"n\">failed validation</th></tr></thead><tbody>");
        foreach (var p in q.Prompts)
        {
            html.Append("<tr><td>").Append(E(p.PromptId)).Append("</td>")
                .Append(N(p.Requests.ToString("N0", Inv))).Append(N(p.Truncated.ToString("N0", Inv)))
                .Append(N(p.Escalations.ToString("N0", Inv))).Append(N(p.ReplyInvalid.ToString("N0", Inv))).Append("</tr>");
        }

        return html.Append("</tbody></table>\n").ToString();
    }

    /// <summary>The "Budgets" section: spend per scope against its limits, and the budget's alerts and actions of the period.</summary>
    private static string ScopeBudgets(ScopeBudgetReport b)
    {
        var html = new StringBuilder("<h2 id=\"budgets\">Budgets by scope</h2>\n");
        if (!b.HasLimits) html.Append("<p>No limits given (<code>--budget-config</code>): spend only.</p>\n");
        html.Append("<table><thead><tr><th>scope</th><th>id</th><th class=\"n\">peak day</th><th class=\"n\">daily limit</th><th class=\"n\">month</th><th class=\"n\">monthly limit</th><th class=\"n\">used</th></tr></thead><tbody>");
        foreach (var r in b.Rows)
        {
            var used = r.MaxShare is { } share ? share.ToString("P0", Inv) : "-";
            html.Append("<tr><td>").Append(E(r.Scope.ToString().ToLowerInvariant())).Append("</td><td>").Append(E(r.Id ?? "-")).Append("</td>")
                .Append(N(Usd(r.PeakDayUsd) + " (" + r.PeakDay.ToString("MM-dd", Inv) + ")")).Append(N(r.DailyLimitUsd is { } d ? Usd(d) : "-"))
                .Append(N(Usd(r.MonthUsd))).Append(N(r.MonthlyLimitUsd is { } m ? Usd(m) : "-"))
                .Append(r.MaxShare > 1 ? "<td class=\"n warn\">" + E(used) + "</td>" : N(used)).Append("</tr>");
        }

        html.Append("</tbody></table>\n<h3>Alerts and actions</h3>\n");
        if (b.Events.Count == 0) return html.Append("<p>None recorded in the period.</p>\n").ToString();
        html.Append("<table><thead><tr><th>time (UTC)</th><th>event</th></tr></thead><tbody>");
        foreach (var e in b.Events)
        {
            html.Append("<tr><td>").Append(E(e.At.ToString("yyyy-MM-dd HH:mm", Inv))).Append("</td><td>").Append(E(LedgerReport.Describe(e))).Append("</td></tr>");
        }

        return html.Append("</tbody></table>\n").ToString();
    }

    /// <summary>The "Provider prompt cache" section (only when a call read from the provider's cache or wrote to it).</summary>
    private static string ProviderCache(ProviderCacheReport c)
    {
        if (c.CacheReadTokens == 0 && c.CacheWriteTokens == 0) return "";
        var html = new StringBuilder("<h2 id=\"provider-cache\">Provider prompt cache</h2>\n<p>")
            .Append(E($"Cache reads at the full input price minus what they cost, net of what cache writes cost above it: {Usd(c.NetSavedUsd)} saved; without the provider's cache the calls would have cost {Usd(c.CostWithoutCacheUsd)}, not {Usd(c.CostUsd)}."));
        if (c.UnpricedCalls > 0) html.Append(E($" {c.UnpricedCalls:N0} calls of unpriced models are not counted."));
        html.Append("</p>\n<table><thead><tr><th></th><th class=\"n\">calls</th><th class=\"n\">input tokens</th><th class=\"n\">USD</th></tr></thead><tbody>")
            .Append("<tr><td>read from the cache</td>").Append(N(c.CallsWithReads.ToString("N0", Inv))).Append(N(c.CacheReadTokens.ToString("N0", Inv))).Append(N("−" + Usd(c.ReadSavingsUsd))).Append("</tr>")
            .Append("<tr><td>written to the cache</td>").Append(N(c.CallsWithWrites.ToString("N0", Inv))).Append(N(c.CacheWriteTokens.ToString("N0", Inv))).Append(N("+" + Usd(c.WritePremiumUsd))).Append("</tr>")
            .Append("<tr><td>all provider calls</td>").Append(N(c.Calls.ToString("N0", Inv))).Append(N(c.InputTokens.ToString("N0", Inv))).Append(N(Usd(c.CostUsd))).Append("</tr>");
        return html.Append("</tbody></table>\n").ToString();
    }

    /// <summary>The "Conversations" section (only when records name a conversation): first, last and total input per conversation.</summary>
    private static string Conversations(ConversationReport c)
    {
        if (c.Count == 0) return "";
        var html = new StringBuilder("<h2 id=\"conversations\">Conversations</h2>\n<p>")
            .Append(E($"The top {c.Conversations.Count} of {c.Count:N0} by input tokens.")).Append("</p>\n")
            .Append("<table><thead><tr><th>conversation</th><th class=\"n\">calls</th><th class=\"n\">first in</th><th class=\"n\">last in</th><th class=\"n\">growth</th><th class=\"n\">all in</th><th class=\"n\">cost</th></tr></thead><tbody>");
        foreach (var x in c.Conversations)
        {
            html.Append("<tr><td>").Append(E(x.ConversationId)).Append("</td>").Append(N(x.Calls.ToString("N0", Inv))).Append(N(x.FirstInputTokens.ToString("N0", Inv)))
                .Append(N(x.LastInputTokens.ToString("N0", Inv))).Append(N(x.Growth.ToString("0.0", Inv) + "×")).Append(N(x.TotalInputTokens.ToString("N0", Inv)))
                .Append(N(Usd(x.CostUsd))).Append("</tr>");
        }

        return html.Append("</tbody></table>\n").ToString();
    }

    private static string Breakdown(string? title, string key, IReadOnlyList<UsageBreakdown> rows)
    {
        var html = new StringBuilder();
        if (title is not null) html.Append("<h2>").Append(E(title)).Append("</h2>\n");
        if (rows.Count == 0) return html.Append("<p>No data.</p>\n").ToString();
        html.Append("<table><thead><tr><th>").Append(E(key)).Append("</th><th class=\"n\">requests</th><th class=\"n\">billed in</th><th class=\"n\">billed out</th><th class=\"n\">from cache in</th><th class=\"n\">from cache out</th><th class=\"n\">cost</th><th class=\"n\">share</th><th class=\"n\">cache hits</th></tr></thead><tbody>");
        foreach (var r in rows)
        {
            html.Append("<tr><td>").Append(E(r.Key)).Append("</td>").Append(N(r.Totals.Requests.ToString("N0", Inv))).Append(N(r.Totals.BilledInputTokens.ToString("N0", Inv)))
                .Append(N(r.Totals.BilledOutputTokens.ToString("N0", Inv))).Append(N(r.Totals.CacheServedInputTokens.ToString("N0", Inv)))
                .Append(N(r.Totals.CacheServedOutputTokens.ToString("N0", Inv))).Append(N(Usd(r.Totals.CostUsd))).Append(N(r.ShareOfCost.ToString("P1", Inv)))
                .Append(N(r.Totals.CacheHitRate.ToString("P1", Inv))).Append("</tr>");
        }

        return html.Append("</tbody></table>\n").ToString();
    }

    private static string Card(string label, string value) => $"<div class=\"card\">{E(label)}<b>{E(value)}</b></div>";

    private static string N(string text) => "<td class=\"n\">" + E(text) + "</td>";

    private static string Usd(decimal value) => "$" + value.ToString("N4", Inv);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
}
