using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// The escrow policy's promise, on a shared store that can be switched off: two instances share a budget; during an
/// outage each spends what its slices hold and nothing more, so together they never pass the limit; afterwards the
/// shared counter equals what was spent and no lease is left.
/// </summary>
public class EscrowBudgetStoreTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private const long Limit = 1_000_000; // the day's limit, in the store's units
    private const long Worst = 10_000;    // each call's worst case: 1% of the limit

    /// <summary>A shared store that throws while <see cref="Down"/> is set (as Redis does when it is gone).</summary>
    private sealed class Switchable(IBudgetStore inner) : IBudgetStore
    {
        public bool Down { get; set; }

        public string Name => "switchable";

        public ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
            Down ? throw new TimeoutException("down") : inner.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken);

        public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
            Down ? throw new TimeoutException("down") : inner.SettleAsync(leaseId, charges, actual, now, cancellationToken);

        public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
            Down ? throw new TimeoutException("down") : inner.RecordSpendAsync(spendId, charges, actual, now, cancellationToken);

        public ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) =>
            Down ? throw new TimeoutException("down") : inner.GetTotalsAsync(keys, now, cancellationToken);
    }

    private static BudgetCharge[] Day(long amount) => [new("{budget}:d:20261203", amount, Limit, Start.AddDays(2))];

    private sealed record Instance(EscrowBudgetStore Escrow, ResilientBudgetStore Resilient);

    private static Instance NewInstance(IBudgetStore shared, FakeTimeProvider time)
    {
        var resilient = new ResilientBudgetStore(shared, BudgetStoreFailurePolicy.FailClosed, TimeSpan.FromSeconds(5), time);
        return new Instance(new EscrowBudgetStore(resilient, new EscrowOptions { Share = 0.05 }, time), resilient);
    }

    /// <summary>One call: reserve the worst case, and settle what it "cost" (a deterministic share of the worst case).</summary>
    private static async Task<long?> CallAsync(IBudgetStore store, DateTimeOffset now, int i)
    {
        try
        {
            var reservation = await store.TryReserveAsync(Day(Worst), now, now.AddMinutes(5), default);
            if (!reservation.IsReserved) return null;
            var cost = Worst * (40 + (i * 37 % 60)) / 100; // 40-99% of the worst case
            await store.SettleAsync(reservation.LeaseId!, Day(Worst), [cost], now, default);
            return cost;
        }
        catch (BudgetStoreUnavailableException)
        {
            return null;
        }
    }

    [Fact]
    public async Task During_an_outage_two_instances_spend_only_their_slices_and_the_counter_equals_the_spend_afterwards()
    {
        var time = new FakeTimeProvider(Start);
        var memory = new InMemoryBudgetStore();
        var shared = new Switchable(memory);
        var a = NewInstance(shared, time);
        var b = NewInstance(shared, time);
        long billed = 0;

        // Normal traffic: slices of 5% are taken ahead of need.
        for (var i = 0; i < 30; i++) billed += await CallAsync(i % 2 == 0 ? a.Escrow : b.Escrow, time.GetUtcNow(), i) ?? 0;
        var heldA = a.Escrow.Available.Values.Single();
        var heldB = b.Escrow.Available.Values.Single();
        Assert.InRange(heldA, 0, Limit / 20);

        // Outage: each instance can spend what its slice holds, no more.
        shared.Down = true;
        long outage = 0;
        var served = 0;
        for (var i = 0; i < 200; i++)
        {
            if (await CallAsync(i % 2 == 0 ? a.Escrow : b.Escrow, time.GetUtcNow(), i) is { } cost)
            {
                outage += cost;
                served++;
            }
        }

        Assert.True(served > 0 && served < 200, $"served {served} of 200 during the outage");
        Assert.True(outage <= heldA + heldB, $"spent {outage} during the outage with {heldA + heldB} held");
        billed += outage;

        // The store is back: settles made during the outage are replayed, the slices return, nothing is left held.
        shared.Down = false;
        time.Advance(TimeSpan.FromSeconds(5));
        await a.Escrow.FlushAsync();
        await b.Escrow.FlushAsync();
        await a.Resilient.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default); // replays what waits
        await b.Resilient.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default);
        await a.Escrow.FlushAsync();
        await b.Escrow.FlushAsync();
        Assert.Equal(0, a.Resilient.PendingSettles);
        Assert.Equal(0, b.Resilient.PendingSettles);
        Assert.Equal(new[] { billed }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default));

        // Then traffic until the budget is spent: never more than the limit in all.
        for (var i = 0; i < 400; i++) billed += await CallAsync(i % 2 == 0 ? a.Escrow : b.Escrow, time.GetUtcNow(), i) ?? 0;
        await a.Escrow.FlushAsync();
        await b.Escrow.FlushAsync();
        Assert.True(billed <= Limit, $"billed {billed} against {Limit}");
        Assert.True(billed > Limit - (2 * Worst), $"billed {billed}: the budget should have been used up to the last worst case");
        Assert.Equal(new[] { billed }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow().AddMinutes(30), default)); // no lease is left
    }

    [Fact]
    public async Task Slices_are_settled_at_each_checkpoint_so_spend_reaches_the_shared_total_without_traffic()
    {
        var time = new FakeTimeProvider(Start);
        var memory = new InMemoryBudgetStore();
        var escrow = new EscrowBudgetStore(memory, new EscrowOptions { Share = 0.05, CheckpointInterval = TimeSpan.FromSeconds(30) }, time);
        var cost = await CallAsync(escrow, time.GetUtcNow(), 0);
        Assert.Equal(new[] { Limit / 20 }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default)); // the whole slice is held

        time.Advance(TimeSpan.FromSeconds(30)); // the timer settles the idle slice
        await escrow.CheckpointAsync(); // (and so does a direct call, deterministic here)
        Assert.Equal(new[] { cost!.Value }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default));
        Assert.Equal(0, escrow.SliceCount);
    }

    [Fact]
    public async Task A_slice_with_a_call_in_flight_is_settled_when_the_call_ends_and_near_the_limit_a_request_reserves_alone()
    {
        var time = new FakeTimeProvider(Start);
        var memory = new InMemoryBudgetStore();
        var escrow = new EscrowBudgetStore(memory, new EscrowOptions { Share = 0.05 }, time);
        var reservation = await escrow.TryReserveAsync(Day(Worst), time.GetUtcNow(), time.GetUtcNow().AddMinutes(5), default);
        await escrow.FlushAsync(); // the slice closes but its call is still running
        Assert.Equal(new[] { Limit / 20 }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default));
        await escrow.SettleAsync(reservation.LeaseId!, Day(Worst), [1234], time.GetUtcNow(), default);
        Assert.Equal(new[] { 1234L }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default));

        // Nearly spent: no slice fits, the request reserves its own worst case (and is refused when even that does not fit).
        await memory.RecordSpendAsync("earlier", Day(0), [Limit - 1234 - (Worst + 5)], time.GetUtcNow(), default);
        var alone = await escrow.TryReserveAsync(Day(Worst), time.GetUtcNow(), time.GetUtcNow().AddMinutes(5), default);
        Assert.True(alone.IsReserved);
        Assert.Equal(0, escrow.SliceCount);
        Assert.False((await escrow.TryReserveAsync(Day(Worst), time.GetUtcNow(), time.GetUtcNow().AddMinutes(5), default)).IsReserved);
        await escrow.SettleAsync(alone.LeaseId!, Day(Worst), [Worst], time.GetUtcNow(), default);
        Assert.Equal(new[] { Limit - 5 }, await memory.GetTotalsAsync(["{budget}:d:20261203"], time.GetUtcNow(), default));
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_value()
    {
        var e = Assert.Throws<ArgumentException>(() => new EscrowBudgetStore(new InMemoryBudgetStore(), new EscrowOptions { Share = 0.9 }));
        Assert.Contains("Escrow:Share must be in (0, 0.5], but is 0.9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_user_is_escrowed_apart_and_the_application_slice_is_shared_by_all_users()
    {
        var time = new FakeTimeProvider(Start);
        var shared = new InMemoryBudgetStore();
        var escrow = NewInstance(shared, time).Escrow;
        const string app = "{budget}:d:20261203";
        BudgetCharge[] For(string user, long amount, long userLimit = Limit) =>
            [new(app, amount, Limit, Start.AddDays(2)), new($"{{budget}}:u:{user}:d:20261203", amount, userLimit, Start.AddDays(2))];

        var leases = new List<(string Lease, BudgetCharge[] Charges)>();
        for (var u = 0; u < 40; u++)
        {
            if (u == 2)
            {
                // A request refused by its user's limit gives back what the application's slice granted it.
                var before = escrow.Available[app];
                var refused = await escrow.TryReserveAsync(For("small", Worst, userLimit: Worst / 2), Start, Start.AddMinutes(5), default);
                Assert.False(refused.IsReserved);
                Assert.Equal(1, refused.RefusedIndex);
                Assert.Equal(before, escrow.Available[app]);
            }

            var charges = For("u" + u, Worst);
            var r = await escrow.TryReserveAsync(charges, Start, Start.AddMinutes(5), default);
            Assert.True(r.IsReserved);
            leases.Add((r.LeaseId!, charges));
        }

        // The application's slices (5 % of the limit, 5 calls each) are shared by all 40 users: 8 slices hold the 40 calls.
        // Escrowed per set of counters, each user would have held a slice of the application's budget of their own —
        // 40 × 5 % = 200 % of the limit — and half of them would have been refused with nothing spent.
        Assert.Equal(8 * (Limit / 20), (await shared.GetTotalsAsync([app], Start, default))[0]);
        Assert.Equal(Limit / 20, (await shared.GetTotalsAsync(["{budget}:u:u7:d:20261203"], Start, default))[0]); // 5 % of the user's limit

        // Settled through the escrow, flushed: the shared counters hold exactly what was settled.
        foreach (var (lease, charges) in leases) await escrow.SettleAsync(lease, charges, [Worst / 2, Worst / 2], Start, default);
        await escrow.FlushAsync();
        Assert.Equal(40 * (Worst / 2), (await shared.GetTotalsAsync([app], Start, default))[0]);
        Assert.Equal(Worst / 2, (await shared.GetTotalsAsync(["{budget}:u:u7:d:20261203"], Start, default))[0]);
    }
}
