using PromptOps.Budgets;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary>
/// <c>promptops report --budget-config</c> (#19): each tenant's, user's and prompt's spend against its limits, and the budget's
/// alerts and actions the ledger recorded, in text and HTML.
/// </summary>
public sealed class ScopeBudgetReportTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// acme: ann $0.06 + bob $0.03 on 11-02, bob $0.01 on 11-03; globex: cy $0.02 on 11-02. Prompt p1 all but cy's. An 80 %
    /// alert of acme's day and a pause taken and undone.
    /// </summary>
    private static async Task<string> LedgerAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        await using var sink = new SqliteUsageSink(path);
        UsageRecord Call(DateTimeOffset at, string tenant, string user, string prompt, decimal usd) => new()
        {
            Timestamp = at, TenantId = tenant, UserId = user, PromptId = prompt, Endpoint = prompt, ModelId = "gpt-4o-mini", InputTokens = 100, OutputTokens = 5,
            CostUsd = usd, CostSavedUsd = 0m, IsPriced = true, Latency = TimeSpan.FromMilliseconds(100),
        };
        sink.Record(Call(Day, "acme", "ann", "p1", 0.06m));
        sink.Record(Call(Day.AddMinutes(1), "acme", "bob", "p1", 0.03m));
        sink.Record(Call(Day.AddMinutes(2), "globex", "cy", "p2", 0.02m));
        sink.Record(Call(Day.AddDays(1), "acme", "bob", "p1", 0.01m));
        await sink.PublishAsync(new BudgetAlert
        {
            Scope = BudgetScope.Tenant, ScopeId = "acme", Window = BudgetWindow.Day, ThresholdPercent = 80, SpentOrReservedUsd = 0.09m, LimitUsd = 0.10m,
            PeriodEnd = Day.Date.AddDays(1), At = Day.AddMinutes(1),
        }, default);
        var pause = new BudgetAlert
        {
            Kind = BudgetAlertKind.Action, Action = BudgetActionKind.PauseNonEssential, Trigger = BudgetActionTrigger.PaceCritical, Scope = BudgetScope.Application,
            Window = BudgetWindow.Month, ThresholdPercent = 0, SpentOrReservedUsd = 0.11m, LimitUsd = 0.50m, PeriodEnd = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), At = Day.AddMinutes(2),
        };
        await sink.PublishAsync(pause, default);
        await sink.PublishAsync(pause with { Undone = true, At = pause.PeriodEnd }, default);
        return path;
    }

    [Fact]
    public async Task Spend_per_scope_is_shown_against_the_configured_limits_with_the_alerts_and_actions_of_the_period()
    {
        var ledger = await LedgerAsync();
        var config = Path.Combine(Path.GetTempPath(), "promptops-budget-" + Guid.NewGuid().ToString("N") + ".json");
        var html = Path.ChangeExtension(config, ".html");
        await File.WriteAllTextAsync(config, """
            { "PromptOps": { "Budget": {
                "MonthlyBudgetUsd": 0.50,
                "Tenants": { "Default": { "DailyLimitUsd": 0.10 }, "Limits": { "globex": { "DailyLimitUsd": "0.01" } } },
                "Users": { "Default": { "DailyLimitUsd": 0.05 } }
            } } }
            """);
        try
        {
            var run = await Cli.RunAsync("report", ledger, "--budget-config", config, "--html", html);
            Assert.Equal(0, run.Exit);
            var rows = run.Out.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            // scope, id, peak day (date), daily limit, month, monthly limit, used (the larger share)
            Assert.True(rows.Contains("tenant globex 0.0200 (11-02) 0.0100 0.0200 - 200 %"), run.Out);
            Assert.Contains("tenant acme 0.0900 (11-02) 0.1000 0.1000 - 90 %", rows);
            Assert.Contains("user ann 0.0600 (11-02) 0.0500 0.0600 - 120 %", rows);
            Assert.Contains("user bob 0.0300 (11-02) 0.0500 0.0400 - 60 %", rows);
            Assert.Contains("application - 0.1100 (11-02) - 0.1200 0.5000 24 %", rows);
            Assert.Contains("prompt p1 0.0900 (11-02) - 0.1000 - -", rows); // no prompt limits
            Assert.True(rows.IndexOf("tenant globex 0.0200 (11-02) 0.0100 0.0200 - 200 %") < rows.IndexOf("tenant acme 0.0900 (11-02) 0.1000 0.1000 - 90 %"), "the most used limit first");
            Assert.Contains("Budget alerts and actions (2):", run.Out, StringComparison.Ordinal); // the pause is undone in December, after the ledger's last day
            Assert.Contains("80% of the day limit of tenant 'acme': $0.0900 of $0.1000", run.Out, StringComparison.Ordinal);
            Assert.Contains("action PauseNonEssential taken (PaceCritical, application): $0.1100 of $0.5000, until 2026-12-01 00:00", run.Out, StringComparison.Ordinal);
            var december = await Cli.RunAsync("report", ledger, "--budget-config", config, "--to", "2026-12-01");
            Assert.Contains("2026-12-01 00:00 action PauseNonEssential undone (application): its period ended", december.Out, StringComparison.Ordinal);

            var page = await File.ReadAllTextAsync(html);
            Assert.Contains("<h2 id=\"budgets\">Budgets by scope</h2>", page, StringComparison.Ordinal);
            Assert.Contains("<td>tenant</td><td>globex</td>", page, StringComparison.Ordinal);
            Assert.Contains("<td class=\"n warn\">200 %</td>", page, StringComparison.Ordinal);
            Assert.Contains("action PauseNonEssential taken", page, StringComparison.Ordinal);

            // A period that leaves the events out.
            var later = await Cli.RunAsync("report", ledger, "--budget-config", config, "--from", "2026-11-03");
            Assert.Contains("Budget alerts and actions: none recorded in the period.", later.Out, StringComparison.Ordinal);
            Assert.Contains("user bob 0.0100 (11-03) 0.0500 0.0100 - 20 %", later.Out.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
        finally
        {
            LedgerFile.Delete(ledger);
            File.Delete(config);
            File.Delete(html);
        }
    }

    [Theory]
    [InlineData("{ \"PromptOps\": { \"Budget\": { \"DailyLimitUsd\": -1 } } }", "DailyLimitUsd must be in")]
    [InlineData("{ \"PromptOps\": { \"Budget\": { } } }", "sets no budget limit")]
    [InlineData("{ not json", "is not valid budget JSON")]
    public async Task A_bad_budget_config_fails_with_one_clear_line(string json, string expected)
    {
        var ledger = await LedgerAsync();
        var config = Path.Combine(Path.GetTempPath(), "promptops-budget-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(config, json);
        try
        {
            var run = await Cli.RunAsync("report", ledger, "--budget-config", config);
            Assert.Equal(1, run.Exit);
            Assert.Contains(expected, run.Err, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
            File.Delete(config);
        }
    }
}

/// <summary><c>promptops report</c>: how each conversation's input grew (ledger schema 4's conversation id, issue #18).</summary>
public sealed class ConversationReportTests
{
    [Fact]
    public async Task Each_conversation_shows_its_first_and_last_input_and_the_growth()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using (var sink = new SqliteUsageSink(path))
        {
            UsageRecord Turn(string conversation, int turn, long input) => new()
            {
                Timestamp = at.AddMinutes(turn), ConversationId = conversation, ModelId = "gpt-4o-mini", InputTokens = input, OutputTokens = 50,
                CostUsd = input * 0.00000015m, CostSavedUsd = 0m, IsPriced = true, Latency = TimeSpan.FromMilliseconds(100),
            };
            for (var t = 0; t < 10; t++) sink.Record(Turn("whole-history", t, 200 + (t * 300))); // 200 → 2,900: sent whole every turn
            for (var t = 0; t < 10; t++) sink.Record(Turn("budgeted", t, t < 4 ? 200 + (t * 300) : 1_000)); // held at 1,000
            sink.Record(Turn("whole-history", 11, 3_200) with { CacheLayer = PromptOps.Caching.CacheLayer.Memory }); // a hit sends nothing: not counted
        }

        try
        {
            var html = Path.ChangeExtension(path, ".html");
            var run = await Cli.RunAsync("report", path, "--html", html);
            Assert.Equal(0, run.Exit);
            var page = await File.ReadAllTextAsync(html);
            File.Delete(html);
            Assert.Contains("<tr><td>whole-history</td><td class=\"n\">10</td><td class=\"n\">200</td><td class=\"n\">2,900</td><td class=\"n\">14.5&#215;</td><td class=\"n\">15,500</td><td class=\"n\">$0.0023</td></tr>", page, StringComparison.Ordinal);
            var rows = run.Out.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
            Assert.True(rows.Contains("whole-history 10 200 2,900 14.5× 15,500 0.0023"), run.Out);
            Assert.Contains("budgeted 10 200 1,000 5.0× 8,600 0.0013", rows);
            Assert.True(rows.IndexOf("whole-history 10 200 2,900 14.5× 15,500 0.0023") < rows.IndexOf("budgeted 10 200 1,000 5.0× 8,600 0.0013"));
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }
}
