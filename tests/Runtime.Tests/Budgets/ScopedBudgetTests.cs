using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Budgets.BudgetTestKit;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// Budgets per tenant, user and prompt (#19): one request reserves against every scope it falls in, atomically; alerts
/// fire once per threshold, scope and period. Run on the in-memory store and on a real redis-server.
/// </summary>
public abstract class ScopedBudgetTests
{
    /// <summary>A store of its own for one test (Redis: a key prefix of its own).</summary>
    protected abstract IBudgetStore NewStore();

    private (CostBudget Budget, FakeTimeProvider Clock, InMemoryBudgetAlertSink Alerts) NewBudget(CostBudgetOptions options, IBudgetLimitProvider? provider = null, IBudgetStore? store = null)
    {
        var clock = Clock();
        var alerts = new InMemoryBudgetAlertSink();
        return (new CostBudget(options, store ?? NewStore(), null, null, clock, provider, [alerts]), clock, alerts);
    }

    private static CostBudgetOptions UsersAt(decimal dailyUsd, decimal? appDailyUsd = null) => new()
    {
        DailyLimitUsd = appDailyUsd,
        Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = dailyUsd } },
    };

    [Fact]
    public async Task Each_user_has_their_own_daily_limit_and_the_refusal_names_the_user()
    {
        var (budget, _, _) = NewBudget(UsersAt(1.00m));
        var alice = new BudgetSubject(null, "alice", null);
        var lease = await budget.ReserveAsync("gpt-4o", 0.60m, alice);
        await budget.SettleAsync(lease, 0.60m);

        var refused = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.50m, alice));
        Assert.Equal((BudgetScope.User, "alice", BudgetWindow.Day, "budget.user.daily", "alice"), (refused.Scope, refused.ScopeId, refused.Window, refused.LimitName, refused.UserId));
        Assert.Equal(0.60m, refused.Current);
        Assert.Contains("of user 'alice'", refused.Message, StringComparison.Ordinal);

        // Bob is not affected by Alice's spend; a request without a user has no user limit (and no application limit here).
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.90m, new BudgetSubject(null, "bob", null)), 0.90m);
        var anonymous = await budget.ReserveAsync("gpt-4o", 5m, BudgetSubject.None);
        Assert.Null(anonymous.LeaseId);
        await budget.SettleAsync(anonymous, 5m); // nothing to settle
    }

    [Fact]
    public async Task A_users_hour_rolls_over_at_the_hour_while_their_day_goes_on()
    {
        // A scoped request's counters are prepared once per subject and hour: the next hour must charge a new hour counter
        // and the same day counter (found through a new key string).
        var (budget, clock, _) = NewBudget(new CostBudgetOptions { Users = new ScopeBudgetOptions { Default = new BudgetLimits { HourlyLimitUsd = 1.00m, DailyLimitUsd = 1.50m } } });
        var alice = new BudgetSubject(null, "alice", null);
        clock.Advance(TimeSpan.FromMinutes(59));
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 1.00m, alice), 1.00m);
        var hourFull = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.10m, alice));
        Assert.Equal((BudgetScope.User, BudgetWindow.Hour), (hourFull.Scope, hourFull.Window));

        clock.Advance(TimeSpan.FromMinutes(1)); // 11:00
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.40m, alice), 0.40m);
        var dayFull = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.20m, alice));
        Assert.Equal((BudgetScope.User, BudgetWindow.Day, 1.40m), (dayFull.Scope, dayFull.Window, dayFull.Current));
        var status = await budget.GetStatusAsync(alice);
        Assert.Equal([(BudgetWindow.Hour, 0.40m), (BudgetWindow.Day, 1.40m)], status.Windows.Select(w => (w.Window, w.SpentOrReservedUsd)));
    }

    [Fact]
    public async Task A_request_reserves_in_every_scope_or_in_none()
    {
        var options = new CostBudgetOptions
        {
            DailyLimitUsd = 100m,
            Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 10m } },
            Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 2m }, Limits = { ["vip"] = new BudgetLimits { DailyLimitUsd = 50m } } },
            Prompts = new ScopeBudgetOptions { Limits = { ["Triage.Classify"] = new BudgetLimits { HourlyLimitUsd = 1m } } },
        };
        var (budget, _, _) = NewBudget(options);
        var subject = new BudgetSubject("acme", "ann", "Triage.Classify");
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.80m, subject), 0.80m);

        // The prompt's hourly $1 refuses $0.30 more: nothing is reserved anywhere else.
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.30m, subject));
        Assert.Equal((BudgetScope.Prompt, "Triage.Classify", BudgetWindow.Hour, "budget.prompt.hourly"), (refused.Scope, refused.ScopeId, refused.Window, refused.LimitName));
        var status = await budget.GetStatusAsync(subject);
        Assert.Equal(
            ["Application/-/Day=0.80/100", "Tenant/acme/Day=0.80/10", "User/ann/Day=0.80/2", "Prompt/Triage.Classify/Hour=0.80/1"],
            status.Windows.Select(w => $"{w.Scope}/{w.ScopeId ?? "-"}/{w.Window}={w.SpentOrReservedUsd:0.00}/{w.LimitUsd:0.##}"));

        // A per-id entry wins over the default: the vip user may spend past the default $2 (within the tenant's $10).
        var vip = new BudgetSubject("acme", "vip", null);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 5m, vip), 5m);
        var tenantFull = await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 5m, vip));
        Assert.Equal((BudgetScope.Tenant, "acme"), (tenantFull.Scope, tenantFull.ScopeId));
        Assert.Equal(5.80m, (await budget.GetStatusAsync(vip)).Windows.Single(w => w.Scope == BudgetScope.Tenant).SpentOrReservedUsd);
    }

    [Fact]
    public async Task Concurrent_requests_never_end_over_any_scope()
    {
        var options = new CostBudgetOptions
        {
            DailyLimitUsd = 3m,
            Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1m } },
            Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 0.25m } },
        };
        var (budget, _, _) = NewBudget(options);
        var granted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var subject = new BudgetSubject("t" + (i % 4), "u" + (i % 20), null);
            try
            {
                var lease = await budget.ReserveAsync("gpt-4o", 0.03m, subject, ct);
                Interlocked.Increment(ref granted);
                await budget.SettleAsync(lease, 0.03m, ct);
            }
            catch (BudgetExceededException)
            {
            }
        });

        // 20 users × 8 calls (0.24 ≤ 0.25) = 160 by the user limits; 4 tenants × 33 (0.99 ≤ 1) = 132 by the tenant limits;
        // 100 by the application's $3 — the smallest wins, and no counter ends above its limit.
        Assert.Equal(100, granted);
        for (var t = 0; t < 4; t++)
        {
            var status = await budget.GetStatusAsync(new BudgetSubject("t" + t, "u" + t, null));
            Assert.All(status.Windows, w => Assert.True(w.SpentOrReservedUsd <= w.LimitUsd, $"{w.Scope} {w.ScopeId}: {w.SpentOrReservedUsd} > {w.LimitUsd}"));
        }
    }

    [Fact]
    public async Task Alerts_fire_once_per_threshold_scope_and_period()
    {
        var (budget, clock, alerts) = NewBudget(UsersAt(1.00m, appDailyUsd: 10m));
        var alice = new BudgetSubject(null, "alice", null);
        for (var i = 0; i < 12; i++)
        {
            try
            {
                await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.10m, alice), 0.10m);
            }
            catch (BudgetExceededException)
            {
            }
        }

        // 0.5 → 50 %, 0.8 → 80 %, 1.0 → 100 %; the refusals after that raise nothing more. The application ($10) is at 10 %.
        Assert.Equal(["User/alice/Day/50/0.50", "User/alice/Day/80/0.80", "User/alice/Day/100/1.00"],
            alerts.Alerts.Select(a => $"{a.Scope}/{a.ScopeId}/{a.Window}/{a.ThresholdPercent}/{a.SpentOrReservedUsd:0.00}"));
        Assert.All(alerts.Alerts, a => Assert.Equal(1.00m, a.LimitUsd));

        // The next day is a new period: the thresholds fire again, once.
        clock.Advance(TimeSpan.FromDays(1));
        for (var i = 0; i < 6; i++) await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.10m, alice), 0.10m);
        Assert.Equal(4, alerts.Alerts.Count);
        Assert.Equal(clock.GetUtcNow().UtcDateTime.Date.AddDays(1), alerts.Alerts[^1].PeriodEnd.UtcDateTime);
    }

    [Fact]
    public async Task A_refusal_raises_the_100_percent_alert_even_below_the_limit()
    {
        var (budget, _, alerts) = NewBudget(UsersAt(1.00m));
        var bob = new BudgetSubject(null, "bob", null);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.30m, bob), 0.30m);
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.90m, bob));
        Assert.Equal(["50/False", "80/False", "100/True"], alerts.Alerts.Select(a => $"{a.ThresholdPercent}/{a.Refused}"));
        Assert.All(alerts.Alerts, a => Assert.Equal(0.30m, a.SpentOrReservedUsd));
    }

    [Fact]
    public async Task Two_budgets_on_one_store_raise_each_alert_once()
    {
        // Two instances of the application (two budgets) sharing the store: each alert is raised by one of them.
        var store = NewStore();
        var (first, _, firstAlerts) = NewBudget(UsersAt(1.00m), store: store);
        var (second, _, secondAlerts) = NewBudget(UsersAt(1.00m), store: store);
        var carol = new BudgetSubject(null, "carol", null);
        for (var i = 0; i < 10; i++)
        {
            var budget = i % 2 == 0 ? first : second;
            await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.10m, carol), 0.10m);
        }

        Assert.Equal([50, 80, 100], firstAlerts.Alerts.Concat(secondAlerts.Alerts).Select(a => a.ThresholdPercent).Order());
    }

    [Fact]
    public async Task A_limit_provider_overrides_the_configured_limits_and_is_asked_once_per_cache_period()
    {
        var provider = new Limits { ["gold"] = new BudgetLimits { DailyLimitUsd = 5m }, ["free"] = BudgetLimits.Unlimited };
        var options = new CostBudgetOptions { Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1m } } };
        var (budget, clock, _) = NewBudget(options, provider);

        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 3m, new BudgetSubject("gold", null, null)), 3m); // provider: $5
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 3m, new BudgetSubject("gold", null, null)));
        Assert.Null((await budget.ReserveAsync("gpt-4o", 50m, new BudgetSubject("free", null, null))).LeaseId); // unlimited
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 2m, new BudgetSubject("other", null, null))); // configured $1
        Assert.Equal(1, provider.Asked("gold"));

        // A change is seen after the cache period.
        provider["gold"] = new BudgetLimits { DailyLimitUsd = 20m };
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 3m, new BudgetSubject("gold", null, null)));
        clock.Advance(options.LimitCacheDuration + TimeSpan.FromSeconds(1));
        await budget.ReserveAsync("gpt-4o", 3m, new BudgetSubject("gold", null, null));
        Assert.Equal(2, provider.Asked("gold"));

        // A bad answer refuses with the provider named.
        provider["bad"] = new BudgetLimits { DailyLimitUsd = -1m };
        var bad = await Assert.ThrowsAsync<InvalidOperationException>(async () => await budget.ReserveAsync("gpt-4o", 1m, new BudgetSubject("bad", null, null)));
        Assert.Contains("IBudgetLimitProvider(Tenant, 'bad'):DailyLimitUsd", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_alert_sink_does_not_fail_the_request_or_stop_the_others()
    {
        var clock = Clock();
        var good = new InMemoryBudgetAlertSink();
        var budget = new CostBudget(UsersAt(1m), NewStore(), null, null, clock, null, [new ThrowingSink(), good]);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.6m, new BudgetSubject(null, "dan", null)), 0.6m);
        Assert.Equal([50], good.Alerts.Select(a => a.ThresholdPercent));
    }

    private sealed class ThrowingSink : IBudgetAlertSink
    {
        public ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken) => throw new InvalidOperationException("webhook down");
    }

    private sealed class Limits : Dictionary<string, BudgetLimits>, IBudgetLimitProvider
    {
        private readonly Dictionary<string, int> _asked = [];

        public int Asked(string id) => _asked.GetValueOrDefault(id);

        public ValueTask<BudgetLimits?> GetLimitsAsync(BudgetScope scope, string id, CancellationToken cancellationToken)
        {
            lock (_asked) _asked[id] = Asked(id) + 1;
            return ValueTask.FromResult(TryGetValue(id, out var l) ? l : null);
        }
    }
}

public sealed class InMemoryScopedBudgetTests : ScopedBudgetTests
{
    protected override IBudgetStore NewStore() => new InMemoryBudgetStore();

    [Fact]
    public async Task Counters_cached_for_a_subject_are_found_again_after_the_sweep_removed_them()
    {
        // The store caches a subject's counters on its prepared charges (one set per subject and hour). When the sweep
        // forgets counters (here: a call that sees a time three days on, as a caller with another clock could), every
        // cached reference is dropped: the next request charges the store's live counter, not the removed one.
        var store = new InMemoryBudgetStore();
        var clock = Clock();
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 10m, Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1.00m } } }, store, timeProvider: clock);
        var alice = new BudgetSubject(null, "alice", null);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.40m, alice), 0.40m);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0.10m, alice), 0.10m); // through the cached counters
        Assert.Equal([0.50m, 0.50m], (await budget.GetStatusAsync(alice)).Windows.Select(w => w.SpentOrReservedUsd));

        Assert.Equal(new long[2], await store.GetTotalsAsync([CostBudget.Key(BudgetWindow.Day, clock.GetUtcNow()), CostBudget.Key(BudgetScope.User, "alice", BudgetWindow.Day, clock.GetUtcNow())], clock.GetUtcNow().AddDays(3), default));
        Assert.Equal(0, store.CounterCount);

        // Same hour, same prepared set: 0.70 fits the user's new (empty) day counter; charged on the removed one (0.50) it
        // would be refused, and the store would not count it.
        var lease = await budget.ReserveAsync("gpt-4o", 0.70m, alice);
        Assert.Equal([0.70m, 0.70m], (await budget.GetStatusAsync(alice)).Windows.Select(w => w.SpentOrReservedUsd));
        await budget.SettleAsync(lease, 0.70m);
        await Assert.ThrowsAsync<BudgetExceededException>(async () => await budget.ReserveAsync("gpt-4o", 0.40m, alice));
        Assert.Equal([0.70m, 0.70m], (await budget.GetStatusAsync(alice)).Windows.Select(w => w.SpentOrReservedUsd));
    }

    [Fact]
    public async Task The_sweep_keeps_the_counters_a_held_lease_of_prepared_charges_names()
    {
        // A lease of prepared charges names its counters through its charges (enumerated, not an array): a sweep while it is
        // held keeps them, so its settle lands on the live counters.
        var store = new InMemoryBudgetStore();
        var now = Clock().GetUtcNow();
        var set = new ChargeSet(0, ["{budget}:x:a", "{budget}:x:b"], [100, 100], [now.AddMinutes(1), now.AddMinutes(2)],
            [(BudgetScope.Application, null, BudgetWindow.Hour), (BudgetScope.Application, null, BudgetWindow.Day)], firstAlertPercent: null);
        var reserved = new PlannedCharges(set, 30);
        var held = await store.TryReserveAsync(reserved, now, now.AddDays(1), default);
        Assert.Equal(new long[] { 30, 30 }, held.Totals);

        var later = now.AddHours(1); // both counters' windows have ended; the lease has not
        Assert.Equal(new long[] { 30, 30 }, await store.GetTotalsAsync(set.Keys, later, default));
        await store.SettleAsync(held.LeaseId!, reserved, new UniformAmounts(20, 2), later, default); // on the lease's (cached) counters
        Assert.Equal(new long[] { 20, 20 }, await store.GetTotalsAsync(set.Keys, later, default));
        Assert.Equal(new long[] { 100, 100 }, (await store.TryReserveAsync(new PlannedCharges(set, 80), later, later.AddMinutes(5), default)).Totals);
        Assert.False((await store.TryReserveAsync(new PlannedCharges(set, 1), later, later.AddMinutes(5), default)).IsReserved);
    }

    [Fact]
    public async Task The_breaker_counts_the_request_in_its_tenant_user_and_prompt()
    {
        var options = new CostBudgetOptions
        {
            Tenants = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1m } },
            Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1m } },
            Prompts = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 1m } },
        };
        var budget = new CostBudget(options, new InMemoryBudgetStore(), timeProvider: Clock());
        using var client = new CostBudgetChatClient(Provider(input: 1000, output: 1000), budget);
        using (PromptOpsContext.BeginTenant("acme"))
        {
            await client.GetResponseAsync(Ask(), Gpt4o().WithPromptOps(new PromptOpsMetadata { PromptId = "P.M", UserId = "eve" }));
        }

        // 1000 × $2.50/M + 1000 × $10/M = $0.0125 in each scope; the ambient tenant, the metadata's user and prompt.
        var status = await budget.GetStatusAsync(new BudgetSubject("acme", "eve", "P.M"));
        Assert.Equal(["Tenant/acme=0.0125", "User/eve=0.0125", "Prompt/P.M=0.0125"], status.Windows.Select(w => $"{w.Scope}/{w.ScopeId}={w.SpentOrReservedUsd}"));
        using (PromptOpsContext.BeginTenant("other"))
        {
            Assert.Equal("other", PromptOpsContext.TenantId);
        }

        Assert.Null(PromptOpsContext.TenantId);
        Assert.Throws<ArgumentException>(() => PromptOpsContext.BeginTenant(" "));
    }

    [Fact]
    public void Bad_scope_options_are_refused_with_their_path()
    {
        var options = new CostBudgetOptions
        {
            Users = new ScopeBudgetOptions { Default = new BudgetLimits { DailyLimitUsd = 0m } },
            Tenants = new ScopeBudgetOptions { Limits = { ["acme"] = new BudgetLimits { MonthlyBudgetUsd = -5m } } },
            AlertThresholds = [50, 120],
        };
        var e = Assert.Throws<ArgumentException>(() => new CostBudget(options, new InMemoryBudgetStore()));
        Assert.Contains("PromptOps:Budget:Users:Default:DailyLimitUsd", e.Message, StringComparison.Ordinal);
        Assert.Contains("PromptOps:Budget:Tenants:Limits:acme:MonthlyBudgetUsd", e.Message, StringComparison.Ordinal);
        Assert.Contains("AlertThresholds", e.Message, StringComparison.Ordinal);
        Assert.Contains("IBudgetLimitProvider", Assert.Throws<ArgumentException>(() => new CostBudget(new CostBudgetOptions(), new InMemoryBudgetStore())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_keep_scopes_and_ids_apart()
    {
        var now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal("{budget}:d:20261203", CostBudget.Key(BudgetScope.Application, null, BudgetWindow.Day, now));
        Assert.Equal("{budget}:u:alice:d:20261203", CostBudget.Key(BudgetScope.User, "alice", BudgetWindow.Day, now));
        Assert.Equal("{budget}:t:alice:h:2026120310", CostBudget.Key(BudgetScope.Tenant, "alice", BudgetWindow.Hour, now));
        var hashed = CostBudget.Key(BudgetScope.User, new string('x', 500), BudgetWindow.Month, now);
        Assert.Matches("^\\{budget\\}:u:#[0-9a-f]{32}:m:202612$", hashed);
        Assert.NotEqual(hashed, CostBudget.Key(BudgetScope.User, new string('x', 501), BudgetWindow.Month, now));
        Assert.StartsWith("{budget}:p:#", CostBudget.Key(BudgetScope.Prompt, "#1", BudgetWindow.Day, now), StringComparison.Ordinal);
        Assert.StartsWith("{budget}:p:#", CostBudget.Key(BudgetScope.Prompt, "a\nb", BudgetWindow.Day, now), StringComparison.Ordinal);
    }
}

[Trait("Needs", "redis")]
public sealed class RedisScopedBudgetTests(RedisServer server) : ScopedBudgetTests, IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = Connect(server);

    protected override IBudgetStore NewStore() => new RedisBudgetStore(_redis, UniquePrefix("scoped"));

    public void Dispose() => _redis.Dispose();
}

/// <summary>Scoped budgets as a user configures them: appsettings keys, DI-registered provider and sinks, UsePromptOps.</summary>
public sealed class ScopedBudgetCompositionTests
{
    private static Microsoft.Extensions.Configuration.IConfigurationSection Config(params (string Key, string Value)[] values) =>
        new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("PromptOps:" + v.Key, v.Value)))
            .Build()
            .GetSection("PromptOps");

    [Fact]
    public async Task Scope_limits_bind_from_configuration_and_the_registered_sinks_get_the_alerts()
    {
        var alerts = new InMemoryBudgetAlertSink();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<TimeProvider>(services, Clock());
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IBudgetAlertSink>(services, alerts);
        services.AddPromptOps(Config(
            ("Budget:Users:Default:DailyLimitUsd", "0.018"),
            ("Budget:Users:Limits:boss:DailyLimitUsd", "1"),
            ("Budget:Tenants:Limits:acme:MonthlyBudgetUsd", "100"),
            ("Budget:AlertThresholds:0", "90")));
        await using var sp = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var provider = Provider(input: 1000, output: 1500); // $0.0175 a call on gpt-4o; a worst case of ~$0.001 with 100 output tokens
        using var client = new ChatClientBuilder(provider).UsePromptOps().Build(sp);

        using (PromptOpsContext.BeginUser("ann"))
        {
            await client.GetResponseAsync(Ask("first"), Gpt4o(100));
            var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask("second"), Gpt4o(100)));
            Assert.Equal("budget.user.daily", refused.LimitName);
        }

        using (PromptOpsContext.BeginUser("boss"))
        {
            await client.GetResponseAsync(Ask("third"), Gpt4o(100));
            await client.GetResponseAsync(Ask("fourth"), Gpt4o(100));
        }

        Assert.Equal(3, provider.Calls);
        var alert = Assert.Single(alerts.Alerts); // ann's refusal at her $0.018 (the only threshold is 90 %; $0.0175 is 97 %, raised once)
        Assert.Equal((BudgetScope.User, "ann", 90, true), (alert.Scope, alert.ScopeId, alert.ThresholdPercent, alert.Refused));
    }

    [Fact]
    public async Task A_registered_limit_provider_turns_the_breaker_on_without_configured_limits()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IBudgetLimitProvider>(services, new EveryTenant(0.01m));
        services.AddPromptOps();
        await using var sp = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        var provider = Provider(input: 1000, output: 1000);
        using var client = new ChatClientBuilder(provider).UsePromptOps().Build(sp);
        var options = Gpt4o(1000).WithPromptOps(new PromptOpsMetadata { TenantId = "t1" }); // worst case > $0.01
        var refused = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), options));
        Assert.Equal((BudgetScope.Tenant, "t1"), (refused.Scope, refused.ScopeId));
        Assert.Equal(0, provider.Calls);
        await client.GetResponseAsync(Ask(), Gpt4o(100)); // no tenant: no limit applies
    }

    private sealed class EveryTenant(decimal daily) : IBudgetLimitProvider
    {
        public ValueTask<BudgetLimits?> GetLimitsAsync(BudgetScope scope, string id, CancellationToken cancellationToken) =>
            ValueTask.FromResult<BudgetLimits?>(scope == BudgetScope.Tenant ? new BudgetLimits { DailyLimitUsd = daily } : null);
    }
}
