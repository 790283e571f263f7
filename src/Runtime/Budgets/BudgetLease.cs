namespace PromptOps.Budgets;

/// <summary>A reservation made by <see cref="CostBudget.ReserveAsync(string?, decimal, BudgetSubject, CancellationToken)"/>; settle it once with <see cref="CostBudget.SettleAsync"/>.</summary>
public sealed class BudgetLease
{
    private int _settled;

    internal BudgetLease(string? leaseId, IReadOnlyList<BudgetCharge> charges, decimal worstCaseUsd)
    {
        LeaseId = leaseId;
        Charges = charges;
        WorstCaseUsd = worstCaseUsd;
    }

    /// <summary>The store's lease id; null when no limit applied to the request (nothing was reserved).</summary>
    public string? LeaseId { get; }

    /// <summary>The worst case that was reserved (USD).</summary>
    public decimal WorstCaseUsd { get; }

    internal IReadOnlyList<BudgetCharge> Charges { get; }

    /// <summary>Whom the reservation was for (anomalies are counted per user on settle).</summary>
    internal BudgetSubject Subject { get; init; }

    internal bool TryMarkSettled() => Interlocked.Exchange(ref _settled, 1) == 0;
}
