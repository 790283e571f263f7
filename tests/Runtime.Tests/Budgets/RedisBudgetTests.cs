using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Plans;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using StackExchange.Redis;
using static PromptOps.Tests.Budgets.BudgetTestKit;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>Budgets and plan quotas shared by several "instances" (service providers with their own connection) through one real redis-server.</summary>
[Trait("Needs", "redis")]
public sealed class RedisBudgetTests(RedisServer server) : IClassFixture<RedisServer>
{
    /// <summary>One application instance: its own container, Redis connection and PromptOps pipeline.</summary>
    private (IChatClient Client, ServiceProvider Services) Instance(FakeTimeProvider time, string prefix, IChatClient provider, Action<PromptOpsOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddPromptOps(o =>
        {
            o.Redis.Configuration = server.Configuration;
            o.Redis.OperationTimeout = OperationTimeout;
            o.Redis.KeyPrefix = prefix;
            o.Cache.Enabled = false;
            o.BudgetStore.LeaseDuration = TimeSpan.FromMinutes(5);
            configure(o);
        });
        services.AddPromptOpsRedis();
        services.AddChatClient(provider).UsePromptOps();
        var sp = services.BuildServiceProvider();
        WaitUntilConnected(sp.GetRequiredService<IConnectionMultiplexer>());
        return (sp.GetRequiredService<IChatClient>(), sp);
    }

    /// <summary>A provider whose usage depends on the request: input = the question's o200k tokens, output 200–999, every fourth request half cached.</summary>
    private static RecordingChatClient VaryingProvider() => new()
    {
        Respond = async (messages, o, ct) =>
        {
            await Task.Delay(1, ct);
            var text = messages[^1].Text;
            var i = int.Parse(text.Split(' ')[1].TrimEnd(':'), CultureInfo.InvariantCulture);
            var input = TokenCounters.ForModel("gpt-4o").CountTokens(text);
            return Answer("gpt-4o", input, 200 + (i * 37 % 800), i % 4 == 0 ? input / 2 : 0);
        },
    };

    private static decimal Cost(UsageDetails u) =>
        ((u.InputTokenCount ?? 0) - (u.CachedInputTokenCount ?? 0)) * Gpt4oInput + (u.CachedInputTokenCount ?? 0) * Gpt4oCached + (u.OutputTokenCount ?? 0) * Gpt4oOutput;

    [Fact]
    public async Task Two_hundred_concurrent_requests_on_two_instances_never_settle_more_than_the_budget_and_refuse_only_when_the_worst_case_does_not_fit()
    {
        var time = Clock();
        var prefix = UniquePrefix("budget200");
        var providerA = VaryingProvider();
        var providerB = VaryingProvider();
        var (a, spA) = Instance(time, prefix, providerA, o => o.Budget.DailyLimitUsd = 1m);
        var (b, spB) = Instance(time, prefix, providerB, o => o.Budget.DailyLimitUsd = 1m);
        using var _a = spA;
        using var _b = spB;
        Assert.IsType<ResilientBudgetStore>(spA.GetRequiredService<IBudgetStore>());

        var spent = new ConcurrentBag<decimal>();
        var refusals = new ConcurrentBag<(BudgetExceededException Error, decimal WorstCase)>();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var messages = Ask($"Question {i}: what is the capital of country number {i}?");
            var options = Gpt4o(1000);
            var worst = WorstCase(messages, options, 1000);
            try
            {
                var response = await (i % 2 == 0 ? a : b).GetResponseAsync(messages, options);
                spent.Add(Cost(response.Usage!));
            }
            catch (BudgetExceededException e)
            {
                refusals.Add((e, worst));
            }
        }));

        // Both instances worked, and the budget ran out: there are refusals.
        Assert.True(providerA.Calls > 0 && providerB.Calls > 0, $"A: {providerA.Calls}, B: {providerB.Calls}");
        Assert.NotEmpty(refusals);
        Assert.Equal(200, spent.Count + refusals.Count);

        // Settled spend never exceeds the budget; once each instance returned its escrow slices, Redis holds exactly what
        // was settled, and nothing stays reserved.
        Assert.True(spent.Sum() <= 1m, $"settled ${spent.Sum()} > $1");
        await spA.GetRequiredService<EscrowBudgetStore>().FlushAsync();
        await spB.GetRequiredService<EscrowBudgetStore>().FlushAsync();
        using var admin = Connect(server);
        var key = CostBudget.Key(BudgetWindow.Day, time.GetUtcNow());
        var totals = await new RedisBudgetStore(admin, prefix).GetTotalsAsync([key], time.GetUtcNow(), default);
        Assert.Equal(spent.Sum(c => CostBudget.ToNanoCeiling(c)), totals[0]);
        Assert.Equal(0L, await admin.GetDatabase().SortedSetLengthAsync(prefix + RedisBudgetStore.LeaseSetOf(key))); // no lease is left

        // Each refusal came when what was spent or reserved left less than that request's worst case.
        foreach (var (e, worst) in refusals)
        {
            Assert.Equal("budget.daily", e.LimitName);
            Assert.Equal(1m, e.Limit);
            Assert.Equal(Usd(worst), Usd(e.RequestedUsd));
            Assert.True(e.Current <= e.Limit, $"current {e.Current} above the limit");
            Assert.True(e.Current + worst > e.Limit, $"refused with ${e.Limit - e.Current} left for a worst case of ${worst}");
        }

        // Now that every reservation is settled, a request is admitted exactly when its worst case fits in what is left.
        var last = Ask("Question 999: and the capital of Peru?");
        var lastWorst = WorstCase(last, Gpt4o(1000), 1000);
        var left = 1m - CostBudget.ToUsd(totals[0]);
        if (left >= lastWorst) await a.GetResponseAsync(last, Gpt4o(1000));
        else await Assert.ThrowsAsync<BudgetExceededException>(() => b.GetResponseAsync(last, Gpt4o(1000)));
    }

    [Fact]
    public async Task A_reservation_that_is_never_settled_expires_in_redis_after_its_lease()
    {
        var time = Clock();
        var prefix = UniquePrefix("lease");
        var provider = BudgetTestKit.Provider(input: 10, output: 100);
        var (client, sp) = Instance(time, prefix, provider, o => o.Budget.DailyLimitUsd = 0.02m);
        using var _ = sp;

        // Another instance reserved $0.015 and died before settling.
        using var other = Connect(server);
        var dead = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 0.02m }, new RedisBudgetStore(other, prefix), null, TimeSpan.FromMinutes(5), time);
        await dead.ReserveAsync("gpt-4o", 0.015m);

        var e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal(Usd(0.015m), Usd(e.Current));
        time.Advance(TimeSpan.FromMinutes(4));
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));

        time.Advance(TimeSpan.FromMinutes(1)); // the lease ends
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        Assert.Equal(1, provider.Calls);
        var leases = prefix + RedisBudgetStore.LeaseSetOf(CostBudget.Key(BudgetWindow.Day, time.GetUtcNow()));
        Assert.Equal(prefix + "{budget}:leases", leases);
        await sp.GetRequiredService<EscrowBudgetStore>().FlushAsync(); // this instance's escrow slice returns
        Assert.Equal(0L, await other.GetDatabase().SortedSetLengthAsync(leases)); // the dead lease was dropped, the new one settled
    }

    [Fact]
    public async Task Hour_day_and_month_windows_roll_over_in_redis_and_their_keys_expire_after_the_window()
    {
        var start = DateTimeOffset.UtcNow.UtcDateTime;
        var firstOfNextMonth = new DateTime(start.Year, start.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        var time = new FakeTimeProvider(new DateTimeOffset(firstOfNextMonth.AddMonths(1).AddHours(-1).AddMinutes(30), TimeSpan.Zero)); // last day of a future month, 23:30
        var prefix = UniquePrefix("windows");
        var provider = BudgetTestKit.Provider(input: 10, output: 1000);
        var (client, sp) = Instance(time, prefix, provider, o =>
        {
            o.Budget.HourlyLimitUsd = 0.015m;
            o.Budget.DailyLimitUsd = 0.025m;
            o.Budget.MonthlyBudgetUsd = 0.035m;
        });
        using var _ = sp;
        using var admin = Connect(server);

        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        Assert.Equal("budget.hourly", (await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)))).LimitName);

        // Every key expires one hour plus one lease after its window ends (by Redis' clock: the fake time is in the future).
        var now = time.GetUtcNow();
        foreach (var window in new[] { BudgetWindow.Hour, BudgetWindow.Day, BudgetWindow.Month })
        {
            var expected = (CostBudget.End(window, now) + TimeSpan.FromMinutes(5) + TimeSpan.FromHours(1)).ToUnixTimeMilliseconds();
            Assert.Equal(expected, (long)await admin.GetDatabase().ExecuteAsync("PEXPIRETIME", prefix + CostBudget.Key(window, now)));
        }

        time.Advance(TimeSpan.FromMinutes(30)); // 00:00 on the 1st: new hour, day and month
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        time.Advance(TimeSpan.FromHours(1));
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("budget.daily", (await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)))).LimitName);
        time.Advance(TimeSpan.FromDays(1));
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        time.Advance(TimeSpan.FromDays(1));
        var monthly = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal("budget.monthly", monthly.LimitName);
        Assert.Equal(Usd(3 * (10 * Gpt4oInput + 1000 * Gpt4oOutput)), Usd(monthly.Current));
        Assert.Equal(4, provider.Calls);
    }

    [Fact]
    public async Task Daily_plan_quotas_are_shared_by_instances_through_redis()
    {
        var time = Clock();
        var prefix = UniquePrefix("plans");
        var providerA = BudgetTestKit.Provider(input: 10, output: 10);
        var providerB = BudgetTestKit.Provider(input: 10, output: 10);
        void Plans(PromptOpsOptions o)
        {
            o.Plans.Enabled = true;
            o.Plans.Definitions["free"] = new UserPlanDefinition { RequestsPerMinute = 1000 };
        }

        var (a, spA) = Instance(time, prefix, providerA, Plans);
        var (b, spB) = Instance(time, prefix, providerB, Plans);
        using var _a = spA;
        using var _b = spB;
        var alice = new ChatOptions().WithPromptOps(new PromptOpsMetadata { UserId = "alice", Task = "yes_no" });

        for (var i = 0; i < 10; i++) await (i < 6 ? a : b).GetResponseAsync(Ask($"q{i}"), alice.Clone());
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => a.GetResponseAsync(Ask("q10"), alice.Clone()));
        Assert.Equal(PlanLimitException.DailyRequests, e.LimitName);
        Assert.Equal(10m, e.Current);
        Assert.Equal(10m, e.Limit);
        await Assert.ThrowsAsync<PlanLimitException>(() => b.GetResponseAsync(Ask("q11"), alice.Clone()));
        Assert.Equal(6, providerA.Calls);
        Assert.Equal(4, providerB.Calls);
    }
}
