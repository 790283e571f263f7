using PromptOps.Budgets;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>Live spend anomalies per user (#19), on a fake clock: found on the settle that makes the hour anomalous, alerted once, the user stopped for the day.</summary>
public sealed class SpendAnomalyTests
{
    private static CostBudgetOptions Options(bool stop = true) => new()
    {
        Anomaly = new SpendAnomalyOptions { Enabled = true, Factor = 10, MinHourlyUsd = 0.50m, MinHistoryHours = 3, Smoothing = 0.2, StopUser = stop },
    };

    private static async Task SpendAsync(CostBudget budget, string user, decimal usd) =>
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", usd, new BudgetSubject(null, user, null)), usd);

    [Fact]
    public async Task A_spike_far_above_the_users_own_history_is_alerted_at_once_and_stops_the_user_for_the_day()
    {
        var clock = Clock(hour: 1);
        var alerts = new InMemoryBudgetAlertSink();
        var budget = new CostBudget(Options(), new InMemoryBudgetStore(), null, null, clock, null, [alerts]);

        // Four ordinary hours: $0.10 an hour (mean after them ≈ $0.059, so the ceiling is ≈ $0.59).
        for (var h = 0; h < 4; h++)
        {
            await SpendAsync(budget, "alice", 0.05m);
            await SpendAsync(budget, "alice", 0.05m);
            await SpendAsync(budget, "bob", 0.05m);
            clock.Advance(TimeSpan.FromHours(1));
        }

        // The spike: $0.25 a call, a minute apart. Two calls ($0.50) stay under the ceiling; the third passes it.
        await SpendAsync(budget, "alice", 0.25m);
        clock.Advance(TimeSpan.FromMinutes(1));
        await SpendAsync(budget, "alice", 0.25m);
        Assert.Empty(alerts.Alerts);
        clock.Advance(TimeSpan.FromMinutes(1));
        await SpendAsync(budget, "alice", 0.25m);

        var alert = Assert.Single(alerts.Alerts);
        Assert.Equal((BudgetAlertKind.Anomaly, BudgetScope.User, "alice", BudgetWindow.Hour, true), (alert.Kind, alert.Scope, alert.ScopeId, alert.Window, alert.Refused));
        Assert.Equal(0.75m, alert.SpentOrReservedUsd);
        Assert.InRange(alert.LimitUsd, 0.58m, 0.60m);
        Assert.Equal(clock.GetUtcNow(), alert.At); // found on the settle that passed the ceiling

        // Stopped for the rest of the UTC day; other users are not.
        var stopped = await Assert.ThrowsAsync<SpendAnomalyException>(async () => await budget.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "alice", null)));
        Assert.Equal((SpendAnomalyException.Name, "alice", 0.75m), (stopped.LimitName, stopped.UserId, stopped.Current));
        await SpendAsync(budget, "bob", 0.05m);
        clock.Advance(TimeSpan.FromHours(3));
        await Assert.ThrowsAsync<SpendAnomalyException>(async () => await budget.ReserveAsync("gpt-4o", 0.01m, new BudgetSubject(null, "alice", null)));

        // The next day she may spend again.
        clock.Advance(TimeSpan.FromDays(1));
        await SpendAsync(budget, "alice", 0.05m);
        Assert.Single(alerts.Alerts);
    }

    [Fact]
    public async Task New_users_and_small_sums_are_never_anomalous_and_alert_only_does_not_stop()
    {
        var clock = Clock(hour: 1);
        var alerts = new InMemoryBudgetAlertSink();
        var budget = new CostBudget(Options(stop: false), new InMemoryBudgetStore(), null, null, clock, null, [alerts]);

        // A new user's first hours are history, not anomalies, whatever they spend.
        await SpendAsync(budget, "new", 5m);
        clock.Advance(TimeSpan.FromHours(1));
        await SpendAsync(budget, "new", 5m);

        // A quiet user: 4 hours of $0.001, then $0.40 (400× their mean, but below MinHourlyUsd).
        for (var h = 0; h < 4; h++)
        {
            await SpendAsync(budget, "quiet", 0.001m);
            clock.Advance(TimeSpan.FromHours(1));
        }

        await SpendAsync(budget, "quiet", 0.40m);
        Assert.Empty(alerts.Alerts);

        // Above MinHourlyUsd: alerted once in the hour (more calls add nothing), not stopped.
        await SpendAsync(budget, "quiet", 0.20m);
        await SpendAsync(budget, "quiet", 0.20m);
        Assert.Single(alerts.Alerts);
        Assert.False(alerts.Alerts[0].Refused);
        await SpendAsync(budget, "quiet", 0.20m);
    }

    [Fact]
    public async Task Two_instances_on_one_store_alert_an_anomaly_once()
    {
        var clock = Clock(hour: 1);
        var store = new InMemoryBudgetStore();
        var alerts = new InMemoryBudgetAlertSink();
        var a = new CostBudget(Options(stop: false), store, null, null, clock, null, [alerts]);
        var b = new CostBudget(Options(stop: false), store, null, null, clock, null, [alerts]);
        for (var h = 0; h < 4; h++)
        {
            await SpendAsync(a, "carl", 0.05m);
            await SpendAsync(b, "carl", 0.05m);
            clock.Advance(TimeSpan.FromHours(1));
        }

        // Each instance sees its own share of carl's traffic; both find the spike, one alert is raised.
        for (var i = 0; i < 4; i++)
        {
            await SpendAsync(a, "carl", 0.25m);
            await SpendAsync(b, "carl", 0.25m);
        }

        Assert.Single(alerts.Alerts);
    }

    [Fact]
    public void Bad_options_are_refused()
    {
        var options = new CostBudgetOptions { Anomaly = new SpendAnomalyOptions { Enabled = true, Factor = 1, Smoothing = 0, MinHistoryHours = 0 } };
        var e = Assert.Throws<ArgumentException>(() => new CostBudget(options, new InMemoryBudgetStore()));
        Assert.Contains("Anomaly:Factor", e.Message, StringComparison.Ordinal);
        Assert.Contains("Anomaly:Smoothing", e.Message, StringComparison.Ordinal);
        Assert.Contains("Anomaly:MinHistoryHours", e.Message, StringComparison.Ordinal);
    }
}
