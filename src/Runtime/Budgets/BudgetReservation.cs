namespace PromptOps.Budgets;

/// <summary>The answer of <see cref="IBudgetStore.TryReserveAsync(string, IReadOnlyList{BudgetCharge}, DateTimeOffset, DateTimeOffset, CancellationToken)"/>.</summary>
public sealed class BudgetReservation
{
    private BudgetReservation(string? leaseId, int refusedIndex, long[] totals)
    {
        LeaseId = leaseId;
        RefusedIndex = refusedIndex;
        Totals = totals;
    }

    /// <summary>True when every charge was reserved.</summary>
    public bool IsReserved => LeaseId is not null;

    /// <summary>The lease to settle; null when refused.</summary>
    public string? LeaseId { get; }

    /// <summary>The index of the first charge whose limit would be exceeded; -1 when reserved.</summary>
    public int RefusedIndex { get; }

    /// <summary>
    /// Used + reserved of each counter, in the order of the charges: after this reservation when reserved, at the
    /// moment of the refusal (without this request) when refused.
    /// </summary>
    public IReadOnlyList<long> Totals { get; }

    /// <summary>A granted reservation.</summary>
    public static BudgetReservation Reserved(string leaseId, long[] totals)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        return new(leaseId, -1, totals);
    }

    /// <summary>A refusal: charge <paramref name="refusedIndex"/> would exceed its limit.</summary>
    public static BudgetReservation Refused(int refusedIndex, long[] totals) => new(null, refusedIndex, totals);
}
