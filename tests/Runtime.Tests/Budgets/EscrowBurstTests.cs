using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// A burst of concurrent requests on one escrow (found by the fault suite, tests/Faults.Tests: at 2 × 200 concurrent
/// requests one instance was refused every request with <c>budget.daily</c> while about 10% of the $1 budget was spent).
/// Every request that finds no room in the current slice reserved a slice of its own in the shared store; the slice that
/// arrived next replaced the current one, whose unused room stayed reserved until its calls ended. So N concurrent
/// misses reserved N slices (N × 5% of the budget) for N calls of 1%, and the requests after them were refused although
/// the budget was far from spent.
/// </summary>
public class EscrowBurstTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private const long Limit = 1_000_000;
    private const long Worst = 10_000; // 1% of the limit; a slice is 5%

    /// <summary>A shared store whose reservations wait at a gate until the test opens it (so that a burst really overlaps).</summary>
    private sealed class Gated(IBudgetStore inner) : IBudgetStore
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Reservations;

        public string Name => "gated";

        public void Open() => _open.TrySetResult();

        public async ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reservations);
            await _open.Task;
            return await inner.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken);
        }

        public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.SettleAsync(leaseId, charges, actual, now, cancellationToken);

        public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.RecordSpendAsync(spendId, charges, actual, now, cancellationToken);

        public ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.GetTotalsAsync(keys, now, cancellationToken);
    }

    private static BudgetCharge[] Day(long amount) => [new("{budget}:d:20261203", amount, Limit, Now.AddDays(2))];

    [Fact]
    public async Task A_burst_of_concurrent_requests_that_fits_in_the_budget_is_granted_in_full_and_the_counter_equals_the_spend()
    {
        var memory = new InMemoryBudgetStore();
        var gated = new Gated(memory);
        var time = new FakeTimeProvider(Now);
        await using var escrow = new EscrowBudgetStore(new ResilientBudgetStore(gated, BudgetStoreFailurePolicy.FailClosed, TimeSpan.FromSeconds(5), time),
            new EscrowOptions { Share = 0.05 }, time);

        // 40 requests of 1% at once: 40% of the budget, which fits. Each starts (and waits at the gate if it went to the
        // shared store) before the gate opens.
        var burst = Enumerable.Range(0, 40).Select(_ => escrow.TryReserveAsync(Day(Worst), Now, Now.AddMinutes(5), default).AsTask()).ToList();
        gated.Open();
        var reservations = await Task.WhenAll(burst);

        var refused = reservations.Count(r => !r.IsReserved);
        Assert.True(refused == 0, $"{refused} of 40 requests refused for a burst of 40% of the budget (shared reservations made: {gated.Reservations})");

        // Spend half of each worst case, return the slices: the counter holds exactly the spend.
        foreach (var r in reservations) await escrow.SettleAsync(r.LeaseId!, Day(Worst), [Worst / 2], Now, default);
        await escrow.FlushAsync();
        Assert.Equal(40 * (Worst / 2), (await memory.GetTotalsAsync([Day(0)[0].Key], Now, default))[0]);
    }
}
