using PromptOps.Budgets;
using Xunit.Abstractions;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// The in-memory store under contention (#19: its counters are charged one by one, without a store-wide lock): threads
/// reserving against every scope at once, near tight limits, never see a counter above its limit, and after every settle
/// each counter holds exactly what was settled on it.
/// </summary>
public sealed class InMemoryBudgetContentionTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private const int Threads = 8;
    private const int ReservationsPerThread = 20_000;
    private const int Users = 20;
    private const int Tenants = 4;

    /// <summary>
    /// The counters, their limits and the room left in each when the run starts: the application's hour, day and month,
    /// and each tenant's and user's day and month — seven counters per request, listed as <see cref="CostBudget"/> lists
    /// them. The room is less than what the threads hold in flight (three calls each, of 1 to 20), so every counter spends
    /// the whole run at its limit, where concurrent reservations compete for the last units.
    /// </summary>
    private static readonly (string Key, long Limit, long Room)[] Counters =
    [
        ("{budget}:h", 3_000, 200), ("{budget}:d", 4_000, 220), ("{budget}:m", 5_000, 240),
        .. Enumerable.Range(0, Tenants).SelectMany(t => new[] { ($"{{budget}}:t:t{t}:d", 900L, 60L), ($"{{budget}}:t:t{t}:m", 1_100L, 70L) }),
        .. Enumerable.Range(0, Users).SelectMany(u => new[] { ($"{{budget}}:u:u{u}:d", 200L, 20L), ($"{{budget}}:u:u{u}:m", 260L, 24L) }),
    ];

    /// <summary>The indexes into <see cref="Counters"/> of a user's request: the application's, its tenant's, its own.</summary>
    private static int[] CountersOf(int user)
    {
        var tenant = user % Tenants;
        return [0, 1, 2, 3 + (2 * tenant), 4 + (2 * tenant), 3 + (2 * Tenants) + (2 * user), 4 + (2 * Tenants) + (2 * user)];
    }

    /// <param name="prepared">
    /// True: each user's charges come as <see cref="CostBudget"/> sends them, one prepared set per user whose counters the store
    /// caches on the set and every thread shares (<see cref="PlannedCharges"/>, settled with <see cref="UniformAmounts"/>);
    /// false: a new array of charges per request, each counter found by key.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_scoped_reservations_never_exceed_a_limit_and_the_counters_equal_the_settled_spend(bool prepared)
    {
        var store = new InMemoryBudgetStore();
        var sets = Enumerable.Range(0, Users).Select(u => CountersOf(u)).Select(indexes => new ChargeSet(
            0,
            [.. indexes.Select(i => Counters[i].Key)],
            [.. indexes.Select(i => Counters[i].Limit)],
            [.. indexes.Select(_ => Now.AddDays(1))],
            [.. indexes.Select(_ => (BudgetScope.Application, (string?)null, BudgetWindow.Day))],
            firstAlertPercent: null)).ToArray();
        var keys = Counters.Select(c => c.Key).ToArray();
        var settled = new long[Threads][];
        var granted = new int[Threads];
        var refused = new int[Threads];
        var failures = new List<Exception>();
        var done = 0;
        var overLimit = new List<string>();
        using var start = new Barrier(Threads + 1);
        for (var i = 0; i < Counters.Length; i++)
        {
            var (key, limit, room) = Counters[i];
            await store.RecordSpendAsync("earlier-" + i, [new BudgetCharge(key, 0, limit, Now.AddDays(1))], [limit - room], Now, default);
        }

        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                var random = new Random(t);
                var mine = settled[t] = new long[Counters.Length];
                var open = new Queue<(string Lease, IReadOnlyList<BudgetCharge> Charges, int[] Indexes)>();
                start.SignalAndWait();
                for (var n = 0; n < ReservationsPerThread; n++)
                {
                    var user = random.Next(Users);
                    var indexes = CountersOf(user);
                    var amount = random.Next(1, 21);
                    IReadOnlyList<BudgetCharge> charges = prepared
                        ? new PlannedCharges(sets[user], amount)
                        : indexes.Select(i => new BudgetCharge(Counters[i].Key, amount, Counters[i].Limit, Now.AddDays(1))).ToArray();
                    var reservation = store.TryReserveAsync(charges, Now, Now.AddMinutes(5), default).AsTask().GetAwaiter().GetResult();
                    if (!reservation.IsReserved)
                    {
                        refused[t]++;
                        continue;
                    }

                    granted[t]++;
                    for (var k = 0; k < indexes.Length; k++)
                    {
                        // What the reservation left on each counter (used + reserved, this request included) fits its limit.
                        if (reservation.Totals[k] > Counters[indexes[k]].Limit) lock (overLimit) overLimit.Add($"granted with {keys[indexes[k]]} at {reservation.Totals[k]} > {Counters[indexes[k]].Limit}");
                    }

                    // Each thread holds up to three calls in flight; the oldest is settled when a fourth is granted.
                    open.Enqueue((reservation.LeaseId!, charges, indexes));
                    if (open.Count > 3) Settle(open.Dequeue());
                }

                while (open.Count > 0) Settle(open.Dequeue());

                void Settle((string Lease, IReadOnlyList<BudgetCharge> Charges, int[] Indexes) call)
                {
                    // Most calls release their reservation (cancelled, failed); one in ten thousand spends a unit, so the
                    // settles add real spend without filling the room the run competes for.
                    var spent = random.Next(10_000) == 0 ? 1 : 0;
                    IReadOnlyList<long> actual = prepared ? new UniformAmounts(spent, call.Charges.Count) : call.Charges.Select(_ => (long)spent).ToArray();
                    store.SettleAsync(call.Lease, call.Charges, actual, Now, default).AsTask().GetAwaiter().GetResult();
                    foreach (var i in call.Indexes) mine[i] += spent;
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
            finally
            {
                Interlocked.Increment(ref done);
            }
        })).ToList();
        foreach (var worker in workers) worker.Start();
        start.SignalAndWait();

        // While they run: used + reserved of every counter, read again and again, is never above its limit.
        while (Volatile.Read(ref done) < Threads)
        {
            var totals = await store.GetTotalsAsync(keys, Now, default);
            for (var i = 0; i < totals.Length; i++)
            {
                if (totals[i] > Counters[i].Limit) lock (overLimit) overLimit.Add($"{keys[i]} at {totals[i]} > {Counters[i].Limit}");
            }
        }

        foreach (var worker in workers) worker.Join();
        Assert.Empty(failures);
        output.WriteLine($"{granted.Sum()} reservations granted, {refused.Sum()} refused, {overLimit.Count} totals seen over a limit{string.Concat(overLimit.Take(5).Select(o => Environment.NewLine + o))}");
        Assert.Empty(overLimit);

        // The run reached the limits (refusals) and went on granting below them (releases make room again).
        Assert.True(refused.Sum() > ReservationsPerThread / 10, $"{refused.Sum()} refusals: the limits were never reached");
        Assert.True(granted.Sum() > ReservationsPerThread / 10, $"{granted.Sum()} reservations granted");

        // Every lease is settled: each counter holds exactly the spend settled on it — nothing reserved is left behind,
        // nothing taken back twice, no charge of a refused request kept — and no counter ends above its limit.
        var final = await store.GetTotalsAsync(keys, Now, default);
        var expected = Enumerable.Range(0, Counters.Length).Select(i => Counters[i].Limit - Counters[i].Room + settled.Sum(s => s[i])).ToArray();
        Assert.Equal(expected, final);
        for (var i = 0; i < final.Length; i++) Assert.True(final[i] <= Counters[i].Limit, $"{keys[i]}: {final[i]} > {Counters[i].Limit}");
    }
}
