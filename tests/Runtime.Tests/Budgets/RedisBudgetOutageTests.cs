using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Budgets.BudgetTestKit;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>Redis dies under a running budget and comes back on the same port, under both policies. This class has a server of its own.</summary>
[Trait("Needs", "redis")]
public sealed class RedisBudgetOutageTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    private static readonly decimal CallCost = 10 * Gpt4oInput + 1000 * Gpt4oOutput; // $0.010025 per call (worst case $0.01005 or so)

    private sealed record Rig(CostBudgetChatClient Client, CostBudget Budget, ResilientBudgetStore Store, FakeLogger<ResilientBudgetStore> Logger, RecordingChatClient Provider, ConnectionMultiplexer Redis) : IDisposable
    {
        public void Dispose()
        {
            Client.Dispose();
            Redis.Dispose();
        }
    }

    private Rig Build(FakeTimeProvider time, string prefix, BudgetStoreFailurePolicy policy, RecordingChatClient? provider = null)
    {
        var redis = Connect(server);
        var logger = new FakeLogger<ResilientBudgetStore>();
        var store = new ResilientBudgetStore(new RedisBudgetStore(redis, prefix), policy, Retry, time, logger);
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 0.05m }, store, null, TimeSpan.FromMinutes(5), time);
        provider ??= Provider(input: 10, output: 1000);
        return new Rig(new CostBudgetChatClient(provider, budget), budget, store, logger, provider, redis);
    }

    private static async Task<long> RedisTotalAsync(IConnectionMultiplexer admin, string prefix, FakeTimeProvider time) =>
        (await new RedisBudgetStore(admin, prefix).GetTotalsAsync([CostBudget.Key(BudgetWindow.Day, time.GetUtcNow())], time.GetUtcNow(), default))[0];

    /// <summary>Advances the fake clock past the retry interval and probes the store until Redis answers again.</summary>
    private static async Task RecoverAsync(Rig rig, FakeTimeProvider time)
    {
        var recovered = await EventuallyAsync(async () =>
        {
            time.Advance(Retry);
            await rig.Budget.GetStatusAsync();
            return !rig.Store.IsDown;
        }, pause: TimeSpan.FromMilliseconds(200));
        Assert.True(recovered, $"The budget store did not notice Redis was back within {Deadline}.");
    }

    [Fact]
    public async Task FallbackToLocal_keeps_enforcing_the_limit_locally_with_one_warning_and_replays_the_spend_when_redis_is_back()
    {
        var time = Clock();
        var prefix = UniquePrefix("fallback");
        using var rig = Build(time, prefix, BudgetStoreFailurePolicy.FallbackToLocal);
        await rig.Client.GetResponseAsync(Ask(), Gpt4o(1000));
        Assert.False(rig.Store.IsDown);

        server.Kill();
        try
        {
            // The local window starts empty: four calls fit in $0.05, the fifth does not.
            for (var i = 0; i < 4; i++)
            {
                await rig.Client.GetResponseAsync(Ask(), Gpt4o(1000));
                time.Advance(Retry); // Redis is probed again (and fails) between calls
            }

            var e = await Assert.ThrowsAsync<BudgetExceededException>(() => rig.Client.GetResponseAsync(Ask(), Gpt4o(1000)));
            Assert.Equal("budget.daily", e.LimitName);
            Assert.Equal(Usd(4 * CallCost), Usd(e.Current));
            Assert.True(rig.Store.IsDown);
            Assert.Equal(5, rig.Provider.Calls);
            // Kept for Redis: the 4 calls' spend, and the release of each of the 5 reservations whose reply never came
            // (each may have reached Redis before it went away).
            Assert.Equal(4 + 5, rig.Store.PendingSettles);
            var warning = Assert.Single(rig.Logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
            Assert.Contains("FallbackToLocal", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            server.Start();
        }

        await RecoverAsync(rig, time);
        Assert.Equal(0, rig.Store.PendingSettles);
        Assert.Contains(rig.Logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message.Contains("available again", StringComparison.Ordinal));
        Assert.Single(rig.Logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);

        // The restarted server (no persistence) lost what it held before; the spend made during the outage was replayed.
        using var admin = Connect(server);
        Assert.Equal(4 * CostBudget.ToNanoCeiling(CallCost), await RedisTotalAsync(admin, prefix, time));

        // The shared total counts the replayed spend: a fifth call no longer fits in $0.05.
        var shared = await Assert.ThrowsAsync<BudgetExceededException>(() => rig.Client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal(Usd(CostBudget.ToUsd(4 * CostBudget.ToNanoCeiling(CallCost))), Usd(shared.Current));
    }

    [Fact]
    public async Task FailClosed_refuses_while_redis_is_down_and_keeps_the_spend_of_a_call_that_was_in_flight()
    {
        var time = Clock();
        var prefix = UniquePrefix("failclosed");
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient
        {
            Respond = async (_, _, _) =>
            {
                await gate.Task;
                return Answer("gpt-4o", 10, 1000);
            },
        };
        using var rig = Build(time, prefix, BudgetStoreFailurePolicy.FailClosed, provider);

        var inFlight = rig.Client.GetResponseAsync(Ask(), Gpt4o(1000));
        // The provider is called only once the reservation has succeeded in Redis: wait for that before killing it.
        await EventuallyAsync(() => Task.FromResult(provider.Calls == 1 || inFlight.IsCompleted), pause: TimeSpan.FromMilliseconds(20));
        Assert.True(provider.Calls == 1, $"The in-flight call did not reach the provider (its reservation in Redis did not finish) within {Deadline}; the call is {inFlight.Status}.");
        server.Kill();
        try
        {
            gate.SetResult();
            await inFlight; // its settle fails and is kept for later

            var e = await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => rig.Client.GetResponseAsync(Ask(), Gpt4o(1000)));
            Assert.Equal(BudgetStoreUnavailableException.Name, e.LimitName);
            Assert.Equal(Retry, e.RetryAfter);
            Assert.Equal("redis", e.Store);
            Assert.IsAssignableFrom<PromptOpsLimitException>(e);
            time.Advance(Retry);
            await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => rig.Client.GetResponseAsync(Ask(), Gpt4o(1000)));
            Assert.Equal(1, provider.Calls);
            Assert.Equal(1 + 1, rig.Store.PendingSettles); // the in-flight call's settle, and the release of the probe's reservation
            Assert.Single(rig.Logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        }
        finally
        {
            server.Start();
        }

        await RecoverAsync(rig, time);
        using var admin = Connect(server);
        Assert.Equal(CostBudget.ToNanoCeiling(CallCost), await RedisTotalAsync(admin, prefix, time)); // the in-flight call's real cost
        await rig.Client.GetResponseAsync(Ask(), Gpt4o(1000));
        Assert.Equal(2, provider.Calls);
    }
}
