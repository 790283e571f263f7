namespace PromptOps.Budgets;

/// <summary>
/// Where budgets and plan quotas are counted: windowed integer counters with leased reservations. A reservation
/// checks every charge against its limit and reserves all of them, or none, atomically; settling replaces the
/// reserved amounts with the real ones; a lease that is never settled expires (its reservation is dropped) so a
/// process that dies does not hold budget forever. Implementations: <see cref="InMemoryBudgetStore"/> (one
/// process) and <c>RedisBudgetStore</c> (PromptOps.Redis) (shared by every instance, one Lua script per operation).
/// <para>Every operation is safe to replay, so a caller that lost a reply (a timeout) can simply send it again: a
/// reservation retried with the same lease id finds its lease instead of reserving twice; a settle of a lease that is
/// still held applies once; a settle of a lease that expired before it was settled adds the real amount once (the money
/// was spent); any later settle of the same lease does nothing. After every scenario the counters equal the sum of the
/// settled amounts plus what live leases hold.</para>
/// </summary>
public interface IBudgetStore
{
    /// <summary>A short name for logs (<c>memory</c>, <c>redis</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Drops expired leases, then reserves every charge under <paramref name="leaseId"/> if for each one used + reserved +
    /// amount ≤ limit; otherwise reserves nothing. Atomic with respect to every other operation on the same counters.
    /// When the lease is already held (this is a retry of a reservation whose reply was lost) nothing more is reserved
    /// and the reservation is returned again.
    /// </summary>
    /// <param name="leaseId">A new id from <see cref="BudgetLeaseIds.New"/>; the same id when the call is retried.</param>
    /// <param name="charges">The counters to charge (at least one).</param>
    /// <param name="now">The current time (lease expiry is compared with it).</param>
    /// <param name="leaseExpiresAt">When the reservation expires if it is never settled.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken);

    /// <summary>Reserves under a new lease id (see the overload with a lease id, which a caller that retries needs).</summary>
    ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        TryReserveAsync(BudgetLeaseIds.New(), charges, now, leaseExpiresAt, cancellationToken);

    /// <summary>
    /// Settles a lease, once: while it is held, its reservation on each counter is replaced by the real amount; when it
    /// expired before this settle, or when the store does not know it (it lost its data, e.g. a restart without
    /// persistence), the real amount is added (the money was spent); when this settle was applied already (a replay
    /// whose first reply was lost) nothing happens. Settling with zeros releases the reservation. A store remembers an
    /// applied settle for <see cref="BudgetLeaseIds.ReplayWindow"/>: a replay later than that counts the spend again,
    /// which can only make the budget refuse early, never overspend.
    /// </summary>
    /// <param name="leaseId">The lease from <see cref="BudgetReservation.LeaseId"/>.</param>
    /// <param name="charges">The charges the lease reserved, in the same order.</param>
    /// <param name="actual">The real amount of each charge (0 releases it).</param>
    /// <param name="now">The current time (how long the settle is remembered is counted from it).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Settles at the system clock's time (see the overload with a time).</summary>
    ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken) =>
        SettleAsync(leaseId, charges, actual, DateTimeOffset.UtcNow, cancellationToken);

    /// <summary>
    /// Adds spend that was never reserved in this store (made while it could not be reached), once per
    /// <paramref name="spendId"/>: a replay with the same id within <see cref="BudgetLeaseIds.ReplayWindow"/> does nothing.
    /// </summary>
    /// <param name="spendId">A unique id of this spend (the local lease id it was made under).</param>
    /// <param name="charges">The counters it belongs to.</param>
    /// <param name="actual">The amount of each charge.</param>
    /// <param name="now">The current time.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Used + unexpired reserved of each counter (0 for a counter that does not exist).</summary>
    ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// True for the first caller (of any instance sharing this store) to claim <paramref name="key"/> before
    /// <paramref name="expiresAt"/>, false for every later one: how a budget alert is raised once. The default reserves 1 of
    /// a counter limited to 1 under a lease that lives until <paramref name="expiresAt"/>, so every store that keeps the
    /// reservation contract keeps this one.
    /// </summary>
    async ValueTask<bool> TryClaimOnceAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var reservation = await TryReserveAsync(BudgetLeaseIds.New(), [new BudgetCharge(key, 1, 1, expiresAt)], now, expiresAt, cancellationToken).ConfigureAwait(false);
        return reservation.IsReserved;
    }

    /// <summary>
    /// Adds <paramref name="member"/> to the set <paramref name="key"/> shared by every instance using this store, kept
    /// until <paramref name="expiresAt"/>: how a user stopped for a spend anomaly is stopped on every instance. Stores that
    /// cannot hold sets keep the default, which throws <see cref="NotSupportedException"/> (the stop then holds only on the
    /// instance that found the anomaly).
    /// </summary>
    ValueTask AddToSetAsync(string key, string member, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The budget store {GetType().Name} does not keep shared sets.");

    /// <summary>The members of the set <paramref name="key"/> (empty when it does not exist or has expired). See <see cref="AddToSetAsync"/>.</summary>
    ValueTask<IReadOnlyCollection<string>> GetSetAsync(string key, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The budget store {GetType().Name} does not keep shared sets.");
}
