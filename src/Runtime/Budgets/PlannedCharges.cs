using System.Collections;

namespace PromptOps.Budgets;

/// <summary>
/// One request's charges over a prepared <see cref="ChargeSet"/>: the same <paramref name="amount"/> on every counter of the set.
/// Read-only, so a store or a retry queue may keep it as it is.
/// </summary>
/// <param name="set">The counters.</param>
/// <param name="amount">What the request reserves (or spends) on each of them; not negative.</param>
internal sealed class PlannedCharges(ChargeSet set, long amount) : IReadOnlyList<BudgetCharge>
{
    /// <summary>The counters.</summary>
    public ChargeSet Set { get; } = set;

    /// <summary>The amount charged on every counter.</summary>
    public long Amount { get; } = amount >= 0 ? amount : throw new ArgumentOutOfRangeException(nameof(amount), amount, "A charge cannot be negative.");

    /// <inheritdoc />
    public int Count => Set.Count;

    /// <inheritdoc />
    public BudgetCharge this[int index] => Set.Charge(index, Amount);

    /// <inheritdoc />
    public IEnumerator<BudgetCharge> GetEnumerator()
    {
        for (var i = 0; i < Set.Count; i++) yield return Set.Charge(i, Amount);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
