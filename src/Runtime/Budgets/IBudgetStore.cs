namespace PromptOps.Budgets;

/// <summary>
/// One counter a reservation charges: a window of a budget (USD in nano-dollars) or of a plan (requests, tokens).
/// The key names the counter and its window (e.g. the day); the counter expires at <see cref="ExpiresAt"/>.
/// </summary>
/// <param name="Key">The counter's key, including its window (e.g. <c>budget:d:20261130</c>).</param>
/// <param name="Amount">What this request reserves on the counter (its worst case), in the counter's integer unit.</param>
/// <param name="Limit">The counter's limit; a reservation is refused when used + reserved + amount would exceed it.</param>
/// <param name="ExpiresAt">When the counter may be forgotten: the end of its window plus a grace period longer than a lease.</param>
public readonly record struct BudgetCharge(string Key, long Amount, long Limit, DateTimeOffset ExpiresAt);

/// <summary>The answer of <see cref="IBudgetStore.TryReserveAsync"/>.</summary>
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

/// <summary>
/// Where budgets and plan quotas are counted: windowed integer counters with leased reservations. A reservation
/// checks every charge against its limit and reserves all of them, or none, atomically; settling replaces the
/// reserved amounts with the real ones; a lease that is never settled expires (its reservation is dropped) so a
/// process that dies does not hold budget forever. Implementations: <see cref="InMemoryBudgetStore"/> (one
/// process) and <see cref="Redis.RedisBudgetStore"/> (shared by every instance, one Lua script per operation).
/// </summary>
public interface IBudgetStore
{
    /// <summary>A short name for logs (<c>memory</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Drops expired leases, then reserves every charge if for each one used + reserved + amount ≤ limit; otherwise
    /// reserves nothing. Atomic with respect to every other operation on the same counters.
    /// </summary>
    /// <param name="charges">The counters to charge (at least one).</param>
    /// <param name="now">The current time (lease expiry is compared with it).</param>
    /// <param name="leaseExpiresAt">When the reservation expires if it is never settled.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Settles a lease: drops its reservation on each counter (if it has not expired) and adds the real amount to
    /// the counter's used total. Settling with zeros releases the reservation. An unknown or expired lease still
    /// adds the real amounts (the money was spent).
    /// </summary>
    /// <param name="leaseId">The lease from <see cref="BudgetReservation.LeaseId"/>.</param>
    /// <param name="charges">The charges the lease reserved, in the same order.</param>
    /// <param name="actual">The real amount of each charge (0 releases it).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken);

    /// <summary>Used + unexpired reserved of each counter (0 for a counter that does not exist).</summary>
    ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken);
}
