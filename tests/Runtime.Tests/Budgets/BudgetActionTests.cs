using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;
using StackExchange.Redis;
using static PromptOps.Tests.Budgets.BudgetTestKit;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// The budget's action table (#19): what PromptOps does when the monthly pace runs hot — downgrade, pause non-essential
/// features, widen the semantic cache within its measured safe range, lower users' limits — each taken once, logged,
/// counted, published and undone when the month rolls over; and an anomalous user stopped on every instance.
/// </summary>
public abstract class BudgetActionTests
{
    /// <summary>A store of its own for one test (Redis: a key prefix of its own); two budgets over it are two instances.</summary>
    protected abstract IBudgetStore NewStore();

    // 10 days into next month (Redis expires keys by its own clock, so the fake clock runs ahead of it, never behind): with a
    // $30 monthly budget the linear pace is Expected; 1.201× of it is a warning, 1.501× critical.
    private static readonly DateTimeOffset MonthStart = NextMonth(DateTimeOffset.UtcNow);
    private static readonly int MonthDays = DateTime.DaysInMonth(MonthStart.Year, MonthStart.Month);
    private static readonly decimal Expected = 30m * 10 / MonthDays;

    private static DateTimeOffset NextMonth(DateTimeOffset now) => new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);

    private static FakeTimeProvider MidMonth() => new(MonthStart.AddDays(10));

    private static CostBudgetOptions Table(params (BudgetActionTrigger When, BudgetActionKind Action)[] rules) => new()
    {
        MonthlyBudgetUsd = 30m,
        Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 0.50m } },
        Actions = new BudgetActionOptions
        {
            Rules = [.. rules.Select(r => new BudgetActionRule { When = r.When, Action = r.Action })],
            NonEssential = ["suggest-tags"],
        },
    };

    private static async Task SpendAsync(CostBudget budget, decimal usd, string? user = null) =>
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m, new BudgetSubject(null, user, null)), usd);

    [Fact]
    public async Task Critical_pace_takes_every_action_of_its_rows_once_and_the_next_month_undoes_them()
    {
        var time = MidMonth();
        var alerts = new InMemoryBudgetAlertSink();
        var provider = Provider();
        var store = NewStore();
        var options = Table(
            (BudgetActionTrigger.PaceCritical, BudgetActionKind.DowngradeTier),
            (BudgetActionTrigger.PaceCritical, BudgetActionKind.PauseNonEssential),
            (BudgetActionTrigger.PaceWarning, BudgetActionKind.WidenSemanticCache),
            (BudgetActionTrigger.PaceCritical, BudgetActionKind.LowerUserLimits));
        using var client = new ChatClientBuilder(provider).UsePromptOps(o =>
        {
            o.Budget = options;
            o.Cache.Enabled = false;
        }).Build(new ServiceCollection().AddSingleton<TimeProvider>(time).AddSingleton<IBudgetAlertSink>(alerts).AddSingleton(store).BuildServiceProvider());
        var budget = client.GetService<CostBudgetChatClient>()!.Budget;
        var analysis = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "analysis", UserId = "ann" });
        var tags = new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "suggest-tags", Task = "classification", UserId = "ann" });
        var optional = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification", Essential = false });

        // On pace: nothing changes.
        await client.GetResponseAsync(Ask(), analysis);
        await client.GetResponseAsync(Ask(), tags);
        Assert.Equal("gpt-4.1", provider.Received[^2].Options!.ModelId);
        Assert.Null(provider.Received[^1].Options!.GetPromptOps()!.SemanticThreshold);
        Assert.DoesNotContain(alerts.Alerts, a => a.Kind == BudgetAlertKind.Action);

        // Warning (> 1.2×): only the warning row (the semantic cache) acts.
        await SpendAsync(budget, decimal.Round(Expected * 1.201m, 6));
        time.Advance(options.PaceRefreshInterval + TimeSpan.FromSeconds(1));
        await client.GetResponseAsync(Ask(), tags);
        Assert.Equal(0.79, provider.Received[^1].Options!.GetPromptOps()!.SemanticThreshold);
        Assert.Equal([BudgetActionKind.WidenSemanticCache], alerts.Alerts.Where(a => a.Kind == BudgetAlertKind.Action).Select(a => a.Action!.Value));

        // Critical (> 1.5×): downgrade, pause, lower limits.
        await SpendAsync(budget, decimal.Round(Expected * 0.300m, 6));
        time.Advance(options.PaceRefreshInterval + TimeSpan.FromSeconds(1));
        var downgraded = await client.GetResponseAsync(Ask(), analysis);
        Assert.Equal("gpt-4o-mini", provider.Received[^1].Options!.ModelId);
        Assert.Equal("high_quality", downgraded.GetPromptOpsFeatures()!.DowngradedFrom);
        var paused = await Assert.ThrowsAsync<FeaturePausedException>(() => client.GetResponseAsync(Ask(), tags));
        Assert.Equal(("suggest-tags", FeaturePausedException.Name, "ann"), (paused.Feature, paused.LimitName, paused.UserId));
        Assert.Equal(BudgetPace.CriticalRatio, paused.Limit);
        Assert.Equal(NextMonth(MonthStart) - time.GetUtcNow(), paused.RetryAfter);
        await Assert.ThrowsAsync<FeaturePausedException>(() => client.GetResponseAsync(Ask(), optional)); // Essential = false
        var calls = provider.Received.Count;

        // Users' $0.50 a day is now $0.25: $0.20 fits, another $0.10 does not.
        await SpendAsync(budget, 0.20m, "bob");
        var lowered = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.10m, new BudgetSubject(null, "bob", null)));
        Assert.Equal((BudgetScope.User, 0.25m), (lowered.Scope, lowered.Limit));
        Assert.Equal(calls, provider.Received.Count); // nothing paused reached the provider

        var taken = alerts.Alerts.Where(a => a.Kind == BudgetAlertKind.Action && !a.Undone).ToList();
        Assert.Equal(
            [BudgetActionKind.WidenSemanticCache, BudgetActionKind.DowngradeTier, BudgetActionKind.PauseNonEssential, BudgetActionKind.LowerUserLimits],
            taken.Select(a => a.Action!.Value));
        Assert.All(taken, a => Assert.Equal(NextMonth(MonthStart), a.PeriodEnd));

        // A dip below the trigger mid-month does not undo anything ("for the rest of the period")…
        time.Advance(TimeSpan.FromDays(10)); // day 21: 1.5 × the pace of day 11 is 0.75 × the pace of day 21
        await Assert.ThrowsAsync<FeaturePausedException>(() => client.GetResponseAsync(Ask(), tags));
        Assert.DoesNotContain(alerts.Alerts, a => a.Undone);

        // …the next month does, once per action.
        time.Advance(NextMonth(MonthStart) - time.GetUtcNow() + TimeSpan.FromMinutes(1));
        await client.GetResponseAsync(Ask(), tags);
        await client.GetResponseAsync(Ask(), analysis);
        Assert.Equal("gpt-4.1", provider.Received[^1].Options!.ModelId);
        Assert.Null(provider.Received[^2].Options!.GetPromptOps()!.SemanticThreshold);
        Assert.Equal(4, alerts.Alerts.Count(a => a.Undone));
        await SpendAsync(budget, 0.45m, "bob"); // the user's own $0.50 again
    }

    [Fact]
    public async Task Two_instances_publish_each_action_once_and_a_stop_found_on_one_holds_on_the_other()
    {
        var time = MidMonth();
        var store = NewStore();
        var alerts = new InMemoryBudgetAlertSink();
        var options = Table((BudgetActionTrigger.PaceCritical, BudgetActionKind.LowerUserLimits));
        options.Anomaly = new SpendAnomalyOptions { Enabled = true, Factor = 10, MinHourlyUsd = 0.05m, MinHistoryHours = 3, StopUser = true };
        options.Users = new ScopeBudgetOptions();
        var a = new CostBudget(options, store, null, null, time, null, [alerts]);
        var b = new CostBudget(options, store, null, null, time, null, [alerts]);

        await SpendAsync(a, decimal.Round(Expected * 1.501m, 6));
        time.Advance(options.PaceRefreshInterval + TimeSpan.FromSeconds(1));
        await a.Actions.CurrentAsync(default);
        await b.Actions.CurrentAsync(default);
        Assert.Single(alerts.Alerts, x => x.Action == BudgetActionKind.LowerUserLimits); // taken by both, published once

        // Carol's history on both instances: $0.01 an hour for four hours.
        for (var h = 0; h < 4; h++)
        {
            await SpendAsync(h % 2 == 0 ? a : b, 0.01m, "carol");
            await SpendAsync(a, 0.01m, "dave");
            time.Advance(TimeSpan.FromHours(1));
        }

        // B reads the shared stops before the spike (an empty set).
        await SpendAsync(b, 0.001m, "carol");

        // The spike lands on A: found there, carol stopped there at once…
        await SpendAsync(a, 0.20m, "carol");
        var anomaly = Assert.Single(alerts.Alerts, x => x.Kind == BudgetAlertKind.Anomaly);
        Assert.True(anomaly.Refused);
        await Assert.ThrowsAsync<SpendAnomalyException>(async () => await a.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "carol", null)));

        // …and on B once it reads the shared set again (every StopSyncInterval, 15 s by default).
        time.Advance(options.Actions.StopSyncInterval);
        await b.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "dave", null)); // triggers the read
        var onB = await Assert.ThrowsAsync<SpendAnomalyException>(async () => await b.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "carol", null)));
        Assert.Equal(("carol", SpendAnomalyException.Name), (onB.UserId, onB.LimitName));
        Assert.Contains("another instance", onB.Message, StringComparison.Ordinal);

        // A new budget (a restarted instance) knows the stop from its first request; the next day nobody is stopped.
        var c = new CostBudget(options, store, null, null, time, null, [alerts]);
        await Assert.ThrowsAsync<SpendAnomalyException>(async () => await c.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "carol", null)));
        time.Advance(TimeSpan.FromDays(1));
        await SpendAsync(c, 0.01m, "carol");
        await SpendAsync(b, 0.01m, "carol");
    }
}

public sealed class InMemoryBudgetActionTests : BudgetActionTests
{
    protected override IBudgetStore NewStore() => new InMemoryBudgetStore();

    [Fact]
    public async Task The_semantic_cache_is_not_widened_while_verified_hits_disagree_more_than_one_percent()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero));
        var metrics = new PromptOpsMetrics(null);
        var options = new CostBudgetOptions
        {
            MonthlyBudgetUsd = 30m,
            Actions = new BudgetActionOptions { Rules = [new BudgetActionRule { When = BudgetActionTrigger.PaceWarning, Action = BudgetActionKind.WidenSemanticCache }] },
        };
        var budget = new CostBudget(options, new InMemoryBudgetStore(), null, null, time, null, null, null, metrics);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 13m);
        time.Advance(TimeSpan.FromMinutes(1));
        var active = await budget.Actions.CurrentAsync(default);
        Assert.Equal(0.79, budget.Actions.SemanticThreshold(active));

        for (var i = 0; i < 99; i++) metrics.SemanticVerification(agreed: true);
        metrics.SemanticVerification(agreed: false); // 1 of 100: at the limit, still widened
        Assert.Equal(0.79, budget.Actions.SemanticThreshold(active));
        metrics.SemanticVerification(agreed: false); // 2 of 101: above 1 %
        Assert.Null(budget.Actions.SemanticThreshold(active));
    }

    [Theory]
    [InlineData("Rules:0:When", "Anomaly", "Rules:0:Action", "PauseNonEssential", "its only action is StopUser")]
    [InlineData("Rules:0:When", "PaceCritical", "Rules:0:Action", "StopUser", "StopUser needs the Anomaly trigger")]
    [InlineData("SemanticThreshold", "0.7", "UserLimitFactor", "0.5", "SemanticThreshold must be in [0.76, 1]")]
    [InlineData("UserLimitFactor", "1", "SemanticThreshold", "0.8", "UserLimitFactor must be in (0, 1)")]
    public void Bad_action_tables_fail_when_the_client_is_built_naming_the_key(string key1, string value1, string key2, string value2, string expected)
    {
        var services = new ServiceCollection();
        services.AddPromptOps(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["PromptOps:Budget:MonthlyBudgetUsd"] = "30",
                ["PromptOps:Budget:Anomaly:Enabled"] = "true",
                ["PromptOps:Budget:Actions:" + key1] = value1,
                ["PromptOps:Budget:Actions:" + key2] = value2,
            }).Build().GetSection("PromptOps"));
        services.AddChatClient(Provider()).UsePromptOps();
        using var sp = services.BuildServiceProvider();
        var error = Assert.ThrowsAny<Exception>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pace_rule_needs_a_monthly_budget()
    {
        var options = new CostBudgetOptions
        {
            DailyLimitUsd = 1m,
            Actions = new BudgetActionOptions { Rules = [new BudgetActionRule { When = BudgetActionTrigger.PaceCritical, Action = BudgetActionKind.PauseNonEssential }] },
        };
        Assert.Contains(options.GetErrors(), e => e.Contains("needs PromptOps:Budget:MonthlyBudgetUsd", StringComparison.Ordinal));
    }
}

[Trait("Needs", "redis")]
public sealed class RedisBudgetActionTests(RedisServer server) : BudgetActionTests, IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = Connect(server);

    protected override IBudgetStore NewStore() => new RedisBudgetStore(_redis, UniquePrefix("actions"));

    public void Dispose() => _redis.Dispose();
}
