using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

public class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    private static BudgetCharge Charge(string key, long amount, long limit) => new(key, amount, limit, Now.AddDays(1));

    [Fact]
    public async Task Reserves_while_used_plus_reserved_plus_amount_fits_and_refuses_beyond()
    {
        var store = new InMemoryBudgetStore();
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
    }

    [Fact]
    public async Task Reserves_all_charges_or_none()
    {
        var store = new InMemoryBudgetStore();
        var refused = await store.TryReserveAsync([Charge("a", 10, 100), Charge("b", 10, 5)], Now, Now.AddMinutes(5), default);
        Assert.False(refused.IsReserved);
        Assert.Equal(1, refused.RefusedIndex);
        Assert.Equal(new long[] { 0L, 0L }, await store.GetTotalsAsync(["a", "b"], Now, default)); // "a" was not charged
    }

    [Fact]
    public async Task Settle_replaces_the_reservation_with_the_actual_amount_and_zero_releases_it()
    {
        var store = new InMemoryBudgetStore();
        var charges = new[] { Charge("a", 50, 100) };
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, charges, [20], default);
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));

        await store.SettleAsync(lease, charges, [0], default); // a second settle of the same lease does not release twice
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));

        var released = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        Assert.Equal(new long[] { 70L }, await store.GetTotalsAsync(["a"], Now, default));
        await store.SettleAsync(released, charges, [0], default);
        Assert.Equal(new long[] { 20L }, await store.GetTotalsAsync(["a"], Now, default));
    }

    [Fact]
    public async Task An_unsettled_lease_expires_and_a_late_settle_still_counts_the_spend()
    {
        var store = new InMemoryBudgetStore();
        var charges = new[] { Charge("a", 100, 100) };
        var lease = (await store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default)).LeaseId!;
        Assert.False((await store.TryReserveAsync([Charge("a", 1, 100)], Now.AddMinutes(4), Now.AddMinutes(9), default)).IsReserved);

        // The process "died": nobody settles. After the lease, the reservation is gone.
        Assert.Equal(new long[] { 0L }, await store.GetTotalsAsync(["a"], Now.AddMinutes(5), default));
        Assert.True((await store.TryReserveAsync([Charge("a", 1, 100)], Now.AddMinutes(5), Now.AddMinutes(10), default)).IsReserved);

        // A settle that arrives after expiry adds what was spent (and releases nothing twice).
        await store.SettleAsync(lease, charges, [30], default);
        Assert.Equal(new long[] { 31L }, await store.GetTotalsAsync(["a"], Now.AddMinutes(6), default));
    }

    [Fact]
    public async Task Counters_of_ended_windows_are_forgotten()
    {
        var store = new InMemoryBudgetStore();
        var charge = new BudgetCharge("old", 5, 10, Now.AddHours(1));
        var lease = (await store.TryReserveAsync([charge], Now, Now.AddMinutes(5), default)).LeaseId!;
        await store.SettleAsync(lease, [charge], [5], default);
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
            await store.SettleAsync(lease, charges, [1], default);
        }

        Assert.True(store.ExpiryQueueLength <= 1_100, $"{store.ExpiryQueueLength} entries for 0 active leases");
        Assert.Equal(new long[] { 20_000 }, await store.GetTotalsAsync(["a"], Now, default));
    }

    [Fact]
    public async Task Bad_input_throws()
    {
        var store = new InMemoryBudgetStore();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryReserveAsync([], Now, Now, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.TryReserveAsync([Charge("a", -1, 10)], Now, Now, default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SettleAsync("1", [Charge("a", 1, 10)], [], default));
    }
}
