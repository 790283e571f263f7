using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// What every <see cref="IBudgetStore"/> must do, run against the in-memory store and against a real redis-server.
/// Times are tomorrow at 10:00 by the machine's clock: Redis expires counters by its own clock, so the counters'
/// expiry times must lie in the future.
/// </summary>
public abstract class BudgetStoreContractTests
{
    protected static readonly DateTimeOffset Now = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(1).AddHours(10);

    protected static BudgetCharge Charge(string key, long amount, long limit) => new(key, amount, limit, Now.AddDays(1));

    /// <summary>A store of its own for one test (Redis: a key prefix of its own).</summary>
    protected abstract IBudgetStore NewStore();

    [Fact]
    public async Task Reserves_while_used_plus_reserved_plus_amount_fits_and_refuses_beyond()
    {
        var store = NewStore();
        var first = await store.TryReserveAsync([Charge("a", 60, 100)], Now, Now.AddMinutes(5), default);
        Assert.True(first.IsReserved);
        Assert.Equal(new long[] { 60L }, first.Totals);

        var second = await store.TryReserveAsync([Charge("a", 40, 100)], Now, Now.AddMinutes(5), default);
        Assert.True(second.IsReserved); // exactly the limit fits
        Assert.Equal(new long[] { 100L }, second.Totals);

        var third = await store.TryReserveAsync([Charge("a", 1, 100)], Now, Now.AddMinutes(5), default);
        Assert.False(third.IsReserved);
        Assert.Equal(0, third.RefusedIndex);
        Assert.Equal(new long[] { 100L }, third.Totals);
        Assert.Null(third.LeaseId);
        Assert.Equal(new long[] { 100L }, await store.GetTotalsAsync(["a"], Now, default));

        // A zero amount is checked too: it is refused once the counter is over its limit, and never counted.
        Assert.True((await store.TryReserveAsync([Charge("a", 0, 100)], Now, Now.AddMinutes(5), default)).IsReserved);
        Assert.False((await store.TryReserveAsync([Charge("a", 0, 99)], Now, Now.AddMinutes(5), default)).IsReserved);
        Assert.Equal(new long[] { 100L }, await store.GetTotalsAsync(["a"], Now, default));
    }

    [Fact]
    public async Task Reserves_all_charges_or_none()
    {
        var store = NewStore();
        await store.TryReserveAsync([Charge("{g}c", 7, 100)], Now, Now.AddMinutes(5), default);
        var refused = await store.TryReserveAsync([Charge("{g}a", 10, 100), Charge("{g}b", 10, 5), Charge("{g}c", 10, 100)], Now, Now.AddMinutes(5), default);
        Assert.False(refused.IsReserved);
        Assert.Equal(1, refused.RefusedIndex);
        Assert.Equal(new long[] { 0L, 0L, 7L }, refused.Totals); // the totals at the moment of the refusal, without this request
        Assert.Equal(new long[] { 0L, 0L, 7L }, await store.GetTotalsAsync(["{g}a", "{g}b", "{g}c"], Now, default)); // "a" was not charged
    }

    [Fact]
    public async Task Settle_replaces_the_reservation_with_the_actual_amount_and_zero_releases_it()
    {
        var store = NewStore();
        var charges = new[] { Charge("a", 50, 100) };
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, charges, [20], Now, default);
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));

        await store.SettleAsync(lease, charges, [0], Now, default); // a second settle of the same lease does not release twice
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));

        var released = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        Assert.Equal(new long[] { 70L }, await store.GetTotalsAsync(["a"], Now, default));
        await store.SettleAsync(released, charges, [0], Now, default);
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));

        // More than reserved (a provider that ignored the limit) counts what was spent.
        var over = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(over, charges, [80], Now, default);
        Assert.Equal(new long[] { 100L }, await store.GetTotalsAsync(["a"], Now, default));
    }

    [Fact]
    public async Task An_unsettled_lease_expires_and_a_late_settle_still_counts_the_spend()
    {
        var store = NewStore();
        var charges = new[] { Charge("{u}a", 100, 100), Charge("{u}b", 3, 10) };
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        Assert.False((await store.TryReserveAsync([Charge("{u}a", 1, 100)], Now.AddMinutes(4), Now.AddMinutes(9), default)).IsReserved);

        // The process "died": nobody settles. After the lease, the reservation is gone from both counters.
        Assert.Equal(new long[] { 0L, 0L }, await store.GetTotalsAsync(["{u}a", "{u}b"], Now.AddMinutes(5), default));
        Assert.True((await store.TryReserveAsync([Charge("{u}a", 1, 100)], Now.AddMinutes(5), Now.AddMinutes(10), default)).IsReserved);

        // A settle that arrives after expiry adds what was spent (and releases nothing twice), once.
        await store.SettleAsync(lease, charges, [30, 2], Now, default);
        Assert.Equal(new long[] { 31L, 2L }, await store.GetTotalsAsync(["{u}a", "{u}b"], Now.AddMinutes(6), default));
        await store.SettleAsync(lease, charges, [30, 2], Now, default); // replayed (its first reply was lost)
        Assert.Equal(new long[] { 31L, 2L }, await store.GetTotalsAsync(["{u}a", "{u}b"], Now.AddMinutes(6), default));
    }

    [Fact]
    public async Task A_reservation_retried_with_its_lease_id_finds_its_lease()
    {
        var store = NewStore();
        var charges = new[] { Charge("{r}a", 60, 100), Charge("{r}b", 60, 1000) };
        var id = BudgetLeaseIds.New();
        var first = await store.TryReserveAsync(id, charges, Now, Now.AddMinutes(5), default);
        var retried = await store.TryReserveAsync(id, charges, Now, Now.AddMinutes(5), default); // the first reply was lost
        Assert.True(first.IsReserved);
        Assert.True(retried.IsReserved); // not refused (60 + 60 > 100), not reserved twice
        Assert.Equal(id, retried.LeaseId);
        Assert.Equal(new long[] { 60L, 60L }, retried.Totals);
        await store.SettleAsync(id, charges, [10, 10], Now, default);
        Assert.Equal(new long[] { 10L, 10L }, await store.GetTotalsAsync(["{r}a", "{r}b"], Now, default));
    }

    [Fact]
    public async Task A_replayed_settle_is_applied_once_and_a_lease_the_store_does_not_know_is_counted_once()
    {
        var store = NewStore();
        var charges = new[] { Charge("{s}a", 50, 100) };
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, charges, [20], Now, default);
        await store.SettleAsync(lease, charges, [20], Now, default); // the reply of the first was lost: sent again
        await store.SettleAsync(lease, charges, [35], Now, default); // even with another amount
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["{s}a"], Now, default));

        // A lease the store does not know (it lost its data: a restart without persistence) still spent its money.
        var lost = BudgetLeaseIds.New();
        await store.SettleAsync(lost, charges, [40], Now, default);
        await store.SettleAsync(lost, charges, [40], Now, default); // replayed
        Assert.Equal(new long[] { 60L }, await store.GetTotalsAsync(["{s}a"], Now, default));
    }

    [Fact]
    public async Task Spend_recorded_without_a_lease_is_added_once_per_id()
    {
        var store = NewStore();
        var charges = new[] { Charge("{o}a", 0, 100), Charge("{o}b", 0, 100) };
        await store.RecordSpendAsync("outage-1", charges, [7, 8], Now, default);
        await store.RecordSpendAsync("outage-1", charges, [7, 8], Now, default); // replayed
        await store.RecordSpendAsync("outage-2", charges, [1, 1], Now, default);
        Assert.Equal(new long[] { 8L, 9L }, await store.GetTotalsAsync(["{o}a", "{o}b"], Now, default));
    }

    [Fact]
    public async Task An_expired_lease_is_released_by_an_operation_on_other_counters_of_its_group()
    {
        var store = NewStore();
        // A plan reserves requests and tokens; a later operation of the same group only looks at the requests.
        await store.TryReserveAsync([Charge("{p}requests", 1, 10), Charge("{p}tokens", 500, 1000)], Now, Now.AddMinutes(5), default);
        await store.GetTotalsAsync(["{p}requests"], Now.AddMinutes(6), default);
        Assert.Equal(new long[] { 0L, 0L }, await store.GetTotalsAsync(["{p}requests", "{p}tokens"], Now.AddMinutes(6), default));
    }

    [Fact]
    public async Task Keys_with_spaces_and_non_ascii_characters_are_released_exactly()
    {
        var store = NewStore();
        string[] keys = ["{ユーザー 1} d 2026", "{ユーザー 1} m 2026-11 x"];
        await store.TryReserveAsync([Charge(keys[0], 12, 100), Charge(keys[1], 34, 100)], Now, Now.AddMinutes(5), default);
        var settled = new[] { Charge(keys[0], 5, 100), Charge(keys[1], 6, 100) };
        var lease = (await store.TryReserveAsync(settled, Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, settled, [1, 2], Now, default);
        Assert.Equal(new long[] { 13L, 36L }, await store.GetTotalsAsync(keys, Now, default));
        Assert.Equal(new long[] { 1L, 2L }, await store.GetTotalsAsync(keys, Now.AddMinutes(5), default));
    }

    [Fact]
    public async Task A_claim_is_granted_once_until_it_expires()
    {
        var store = NewStore();
        Assert.True(await store.TryClaimOnceAsync("{budget}:d:x:alert:50", Now, Now.AddHours(1), default));
        Assert.False(await store.TryClaimOnceAsync("{budget}:d:x:alert:50", Now, Now.AddHours(1), default));
        Assert.False(await store.TryClaimOnceAsync("{budget}:d:x:alert:50", Now.AddMinutes(59), Now.AddHours(1), default));
        Assert.True(await store.TryClaimOnceAsync("{budget}:d:x:alert:80", Now, Now.AddHours(1), default)); // another key
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryClaimOnceAsync("", Now, Now.AddHours(1), default));
    }

    [Fact]
    public async Task Bad_input_throws()
    {
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync([], Now, Now, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync([Charge("a", -1, 10)], Now, Now, default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SettleAsync("1", [Charge("a", 1, 10)], [], Now, default));
    }
}

public sealed class InMemoryBudgetStoreTests : BudgetStoreContractTests
{
    protected override IBudgetStore NewStore() => new InMemoryBudgetStore();

    [Fact]
    public async Task Counters_of_ended_windows_are_forgotten()
    {
        var store = new InMemoryBudgetStore();
        var charge = new BudgetCharge("old", 5, 10, Now.AddHours(1));
        var lease = (await store.TryReserveAsync([charge], Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, [charge], [5], Now, default);
        Assert.Equal(1, store.CounterCount);

        await store.GetTotalsAsync(["other"], Now.AddHours(2), default);
        Assert.Equal(0, store.CounterCount);
    }

    [Fact]
    public async Task Settled_leases_do_not_pile_up_in_the_expiry_queue()
    {
        var store = new InMemoryBudgetStore();
        var charges = new[] { Charge("a", 1, long.MaxValue / 2) };
        for (var i = 0; i < 20_000; i++)
        {
            var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(10), default)).LeaseId!;
            await store.SettleAsync(lease, charges, [1], Now, default);
        }

        Assert.True(store.ExpiryQueueLength <= 1_100, $"{store.ExpiryQueueLength} entries for 0 active leases");
        Assert.Equal(new long[] { 20_000 }, await store.GetTotalsAsync(["a"], Now, default));
    }
}

/// <summary>The contract on a real redis-server, plus what only Redis can get wrong: keys that never expire.</summary>
[Trait("Needs", "redis")]
public sealed class RedisBudgetStoreTests(RedisServer server) : BudgetStoreContractTests, IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = Connect(server);
    private string _prefix = UniquePrefix("store");

    protected override IBudgetStore NewStore()
    {
        _prefix = UniquePrefix("store");
        return new RedisBudgetStore(_redis, _prefix);
    }

    public void Dispose() => _redis.Dispose();

    /// <summary>Every key this test wrote, with its absolute expiry (Unix ms; -1 = none).</summary>
    private async Task<Dictionary<string, long>> KeysAsync()
    {
        var db = _redis.GetDatabase();
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            var page = (RedisResult[])(await db.ExecuteAsync("SCAN", cursor, "MATCH", _prefix + "*", "COUNT", 1000))!;
            cursor = (string)page[0]!;
            foreach (var key in (RedisResult[])page[1]!)
            {
                result[(string)key!] = (long)await db.ExecuteAsync("PEXPIRETIME", (string)key!);
            }
        }
        while (cursor != "0");
        return result;
    }

    [Fact]
    public async Task Every_key_expires_even_after_refusals_releases_and_late_settles()
    {
        var store = NewStore();
        var day = new BudgetCharge("{b}:d", 40, 100, Now.AddDays(1));
        var month = new BudgetCharge("{b}:m", 40, 1000, Now.AddDays(30));
        var fresh = new BudgetCharge("{b}:fresh", 10, 100, Now.AddHours(2));
        var late = new BudgetCharge("{b}:late", 10, 100, Now.AddHours(3));

        var lease = (await store.TryReserveAsync([day, month], Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.TryReserveAsync([day, month], Now, Now.AddMinutes(5), default); // never settled
        Assert.False((await store.TryReserveAsync([fresh, day with { Amount = 30 }], Now, Now.AddMinutes(5), default)).IsReserved); // "fresh" was created, then undone
        await store.SettleAsync(lease, [day, month], [0, 0], Now, default);
        await store.RecordSpendAsync("outage-spend", [late], [7], Now, default); // spend made during an outage creates its counter
        await store.GetTotalsAsync(["{b}:d"], Now.AddMinutes(10), default); // purges the unsettled lease

        var keys = await KeysAsync();
        Assert.Equal(
            new[] { "{b}:d", "{b}:fresh", "{b}:late", "{b}:m" },
            keys.Keys.Where(k => !k.EndsWith(":leases", StringComparison.Ordinal) && !k.EndsWith(":settles", StringComparison.Ordinal)).Select(k => k[_prefix.Length..]).Order(StringComparer.Ordinal));
        Assert.All(keys, k => Assert.True(k.Value > 0, $"{k.Key} has no expiry")); // the expired-lease set and the markers too
        Assert.Equal(day.ExpiresAt.ToUnixTimeMilliseconds(), keys[_prefix + "{b}:d"]);
        Assert.Equal(month.ExpiresAt.ToUnixTimeMilliseconds(), keys[_prefix + "{b}:m"]);
        Assert.Equal(fresh.ExpiresAt.ToUnixTimeMilliseconds(), keys[_prefix + "{b}:fresh"]);
        Assert.Equal(late.ExpiresAt.ToUnixTimeMilliseconds(), keys[_prefix + "{b}:late"]);
        Assert.DoesNotContain(_prefix + "{b}:leases", keys.Keys); // every lease is settled or purged: the empty set is gone
        Assert.Equal(new long[] { 0L, 0L, 0L, 7L }, await store.GetTotalsAsync(["{b}:d", "{b}:m", "{b}:fresh", "{b}:late"], Now.AddMinutes(10), default));
    }

    [Fact]
    public async Task The_lease_set_outlives_every_counter_its_leases_charged()
    {
        var store = NewStore();
        var month = new BudgetCharge("{b}:m", 5, 100, Now.AddDays(30));
        var hour = new BudgetCharge("{b}:h", 5, 100, Now.AddHours(2));
        await store.TryReserveAsync([month], Now, Now.AddMinutes(5), default);
        await store.TryReserveAsync([hour], Now, Now.AddMinutes(5), default); // a later, shorter-lived operation
        var keys = await KeysAsync();
        Assert.True(keys[_prefix + "{b}:leases"] > keys[_prefix + "{b}:m"], "the lease set must not expire before the monthly counter");
    }

    [Fact]
    public async Task Scripts_the_server_forgot_are_loaded_again()
    {
        // A restart, a failover or SCRIPT FLUSH empties the server's script cache; EVALSHA then answers NOSCRIPT.
        var options = ConfigurationOptions.Parse(server.Configuration);
        options.AllowAdmin = true;
        using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        var store = NewStore();
        var charges = new[] { Charge("{b}:d", 5, 100) };

        await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default);
        await admin.GetServers()[0].ScriptFlushAsync();
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        await admin.GetServers()[0].ScriptFlushAsync();
        await store.SettleAsync(lease, charges, [2], Now, default);
        await admin.GetServers()[0].ScriptFlushAsync();
        Assert.Equal(new long[] { 7L }, await store.GetTotalsAsync(["{b}:d"], Now, default));
    }

    [Fact]
    public async Task A_purge_does_not_recreate_a_counter_that_has_expired()
    {
        var store = NewStore();
        await store.TryReserveAsync([new BudgetCharge("{b}:h", 5, 100, Now.AddDays(1)), Charge("{b}:d", 5, 100)], Now, Now.AddMinutes(5), default);
        await _redis.GetDatabase().KeyDeleteAsync(_prefix + "{b}:h"); // its window ended and Redis dropped it
        await store.GetTotalsAsync(["{b}:d"], Now.AddMinutes(6), default);
        var keys = await KeysAsync();
        Assert.DoesNotContain(_prefix + "{b}:h", keys.Keys);
        Assert.Equal(new long[] { 0L }, await store.GetTotalsAsync(["{b}:d"], Now.AddMinutes(6), default));
    }
}
