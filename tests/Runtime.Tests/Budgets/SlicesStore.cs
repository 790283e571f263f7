using PromptOps.Budgets;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// An escrow while its shared store is down: grants a reservation whose every charge is within <paramref name="room"/>
/// (nano-dollars, or tokens for plans), refuses more as unavailable — by amount, as the escrow does, unless
/// <paramref name="byAmount"/> is false (a store that refuses everything).
/// </summary>
internal sealed class SlicesStore(long room, bool byAmount = true) : IBudgetStore
{
    private readonly InMemoryBudgetStore _inner = new();

    public int Unavailable { get; private set; }

    public string Name => "slices";

    public ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        if (charges.Any(c => c.Amount > room))
        {
            Unavailable++;
            throw new BudgetStoreUnavailableException(Name, charges[0].Key, TimeSpan.FromSeconds(5)) { ByAmount = byAmount };
        }

        return _inner.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken);
    }

    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
        _inner.SettleAsync(leaseId, charges, actual, now, cancellationToken);

    public ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) =>
        _inner.GetTotalsAsync(keys, now, cancellationToken);

    public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> amounts, DateTimeOffset now, CancellationToken cancellationToken) =>
        _inner.RecordSpendAsync(spendId, charges, amounts, now, cancellationToken);
}
