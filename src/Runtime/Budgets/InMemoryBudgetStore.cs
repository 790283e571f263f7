using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace PromptOps.Budgets;

/// <summary>
/// The default <see cref="IBudgetStore"/>: counters in this process. A reservation charges each counter with a
/// compare-and-swap that only succeeds while used + reserved + amount ≤ limit, so no counter ever holds more than its limit
/// from reservations; when one charge does not fit, the charges already made are taken back and nothing is reserved (all or
/// none). Counters are charged from the last charge to the first: callers list the most shared counters first
/// (<see cref="CostBudget"/> the application's windows, then a tenant's, a user's, a prompt's), so a request that a user's or
/// a tenant's limit refuses never touches the application's counters, and the counters every request shares are the ones
/// least often charged and taken back. The price of charging counters one by one instead of under one lock: while a
/// reservation that will be refused holds its charge on a counter for a moment, another reservation may find that counter
/// full and be refused too (never the other way: nothing is ever overspent). Leases, settles and expiries are kept under one
/// lock, held for a table entry whatever the number of counters (a settle adds to its counters after it). Expired leases are dropped in expiry order before every
/// reservation; counters whose window has ended are forgotten. A lease that expires unsettled is remembered (until its
/// counters end) so that its late settle adds the real amount exactly once. Several processes need <c>RedisBudgetStore</c>
/// (PromptOps.Redis) to share a budget.
/// </summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int CompactThreshold = 1024;
    private const int Pending = 0;
    private const int Active = 1;

    private readonly object _gate = new();

    /// <summary>
    /// The counters, found and charged without the lock. Only the once-a-minute sweep (under the lock) removes one, and never
    /// one a lease in <see cref="_leases"/> names (a reservation enters its lease, pending, before it looks its counters up)
    /// nor while a settle whose lease has left the table is still adding to its counters (<see cref="_settling"/>).
    /// </summary>
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>
    /// Counters found before, by the identity of their key string: <see cref="CostBudget"/> reuses one key string per counter
    /// and hour, so most lookups compare a reference here instead of hashing the key. A slot belongs to the first key that
    /// finds it empty until that key's counter is removed (or the same counter is found through a new string, the next
    /// hour): two keys that share a slot do not evict each other on every request; the second one is looked up by hash.
    /// </summary>
    private readonly Slot?[] _recent = new Slot?[RecentSlots];
    private const int RecentSlots = 8192;
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _expiries = new();

    /// <summary>Leases that expired before they were settled (their late settle still adds the spend), until their counters end.</summary>
    private readonly Dictionary<string, long> _expired = new(StringComparer.Ordinal);

    /// <summary>Settles and recorded spends applied (by id) and until when they are remembered, so that a replay changes nothing.</summary>
    private readonly AppliedMarkers _applied = new();
    private readonly Dictionary<string, long> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (HashSet<string> Members, long ExpiresAtTicks)> _sets = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <summary>How many times the sweep has removed counters (under the lock): a prepared set's cached counters are valid while it is unchanged.</summary>
    private long _sweeps;

    /// <summary>Settles adding to their counters outside the lock (their leases have left the table).</summary>
    private int _settling;

    /// <inheritdoc />
    public string Name => "memory";

    /// <summary>How many counters are held (ended windows are forgotten); for tests and diagnostics.</summary>
    public int CounterCount => _counters.Count;

    /// <summary>Entries in the lease-expiry queue (settled leases included until it is compacted); for tests.</summary>
    internal int ExpiryQueueLength
    {
        get
        {
            lock (_gate) return _expiries.Count;
        }
    }

    /// <inheritdoc cref="IBudgetStore.TryReserveAsync(IReadOnlyList{BudgetCharge}, DateTimeOffset, DateTimeOffset, CancellationToken)" />
    public ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        TryReserveAsync(BudgetLeaseIds.New(), charges, now, leaseExpiresAt, cancellationToken);

    /// <inheritdoc />
    public ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentNullException.ThrowIfNull(charges);
        var count = charges.Count;
        if (count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        Lease lease;
        var planned = charges as PlannedCharges;
        if (planned is not null)
        {
            // A prepared set (CostBudget's): one amount, never negative, and the latest expiry known; nothing is copied, and
            // the lease shares the set's counters (below).
            lease = new Lease(null, null, planned.Amount, planned.Set.LatestExpiryTicks, charges);
        }
        else
        {
            var amounts = new long[count];
            var latest = long.MinValue;
            for (var i = 0; i < count; i++)
            {
                var c = charges[i];
                if (c.Amount < 0) throw new ArgumentOutOfRangeException(nameof(charges), c.Amount, $"The amount reserved on '{c.Key}' is negative.");
                amounts[i] = c.Amount;
                latest = Math.Max(latest, c.ExpiresAt.UtcTicks);
            }

            lease = new Lease(new Counter[count], amounts, 0, latest, charges);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var spin = default(SpinWait);
        long sweeps;
        while (true)
        {
            lock (_gate)
            {
                Purge(now);
                if (!_leases.TryGetValue(leaseId, out var held))
                {
                    // Held (pending) from here: a retry with this id waits for the outcome instead of reserving again.
                    _leases.Add(leaseId, lease);
                    _expiries.Enqueue(leaseId, leaseExpiresAt.UtcTicks);
                    sweeps = _sweeps;
                    break;
                }

                // A retry of a reservation that was made: return it again, reserve nothing more.
                if (Volatile.Read(ref held.State) == Active) return ValueTask.FromResult(BudgetReservation.Reserved(leaseId, held.CurrentTotals()));
            }

            spin.SpinOnce(); // the first call with this id is charging its counters right now
        }

        // A prepared set's counters: the ones its last request found, unless a sweep has removed counters since (then found
        // again by key). Either way they are named by this lease from here, so no sweep removes them while it lives.
        var set = planned?.Set;
        if (set is not null) lease.Counters = CountersOf(set, sweeps);
        var totals = new long[count];
        for (var i = count - 1; i >= 0; i--)
        {
            Counter counter;
            long amount, limit;
            if (set is not null)
            {
                counter = lease.Counters[i];
                amount = lease.Amount;
                limit = set.Bounds[i].Limit;
            }
            else
            {
                var c = charges[i];
                counter = Find(c.Key, c.ExpiresAt.UtcTicks);
                amount = c.Amount;
                limit = c.Limit;
            }

            var seen = Volatile.Read(ref counter.Total);
            while (true)
            {
                // seen + amount > limit, without overflow (a total is never negative).
                if (amount > limit - seen)
                {
                    return ValueTask.FromResult(Refuse(leaseId, lease, charges, i, seen, totals));
                }

                var before = Interlocked.CompareExchange(ref counter.Total, seen + amount, seen);
                if (before == seen) break;
                seen = before;
            }

            if (set is null) lease.Counters[i] = counter;
            totals[i] = seen + amount;
        }

        Volatile.Write(ref lease.State, Active);
        return ValueTask.FromResult(BudgetReservation.Reserved(leaseId, totals));
    }

    /// <summary>
    /// Takes back the charges made on the counters after <paramref name="refused"/> and drops the pending lease. The refusal
    /// names the first charge (in the caller's order) that does not fit now, and the totals without this request.
    /// </summary>
    private BudgetReservation Refuse(string leaseId, Lease lease, IReadOnlyList<BudgetCharge> charges, int refused, long seen, long[] totals)
    {
        for (var j = refused + 1; j < charges.Count; j++)
        {
            Interlocked.Add(ref lease.Counters[j].Total, -lease.AmountAt(j));
            totals[j] -= lease.AmountAt(j);
        }

        totals[refused] = seen;
        var first = refused;
        for (var j = 0; j < refused; j++)
        {
            var c = charges[j];
            totals[j] = _counters.TryGetValue(c.Key, out var counter) ? Volatile.Read(ref counter.Total) : 0;
            if (first == refused && c.Amount > c.Limit - totals[j]) first = j;
        }

        lock (_gate) _leases.Remove(leaseId); // its expiry stays queued and finds nothing when its time comes
        return BudgetReservation.Refused(first, totals);
    }

    /// <inheritdoc cref="IBudgetStore.SettleAsync(string, IReadOnlyList{BudgetCharge}, IReadOnlyList{long}, CancellationToken)" />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken) =>
        SettleAsync(leaseId, charges, actual, DateTimeOffset.UtcNow, cancellationToken);

    /// <inheritdoc />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Check(leaseId, charges, actual);
        var spin = default(SpinWait);
        Lease? settling = null;
        while (settling is null)
        {
            lock (_gate)
            {
                if (!_leases.TryGetValue(leaseId, out var lease))
                {
                    _expired.Remove(leaseId); // expired unsettled: owed, added below
                    if (!_applied.TryAdd(leaseId, (now + BudgetLeaseIds.ReplayWindow).UtcTicks)) return ValueTask.CompletedTask; // applied already: a replay
                    Add(charges, actual);
                    return ValueTask.CompletedTask;
                }

                if (Volatile.Read(ref lease.State) == Active)
                {
                    // Held: settled by this call alone (a replay finds it applied).
                    _leases.Remove(leaseId);
                    _applied.Set(leaseId, (now + BudgetLeaseIds.ReplayWindow).UtcTicks);
                    if (!ReferenceEquals(charges, lease.Charges))
                    {
                        Release(lease);
                        Add(charges, actual);
                        return ValueTask.CompletedTask;
                    }

                    // Counted as settling: the sweep waits for it before it removes any counter (this lease no longer names them).
                    Interlocked.Increment(ref _settling);
                    settling = lease;
                    continue;
                }
            }

            spin.SpinOnce(); // its reservation is still charging its counters (a settle that overtook the reply)
        }

        // The charges it was reserved with: its counters are at hand, so no key is looked up again; outside the lock, the
        // reservation becomes the real amount in one addition per counter.
        var uniform = actual as UniformAmounts;
        for (var i = 0; i < settling.Counters.Length; i++)
        {
            var spent = uniform is null ? actual[i] : uniform.Value;
            Interlocked.Add(ref settling.Counters[i].Total, Math.Max(0, spent) - settling.AmountAt(i));
        }

        Interlocked.Decrement(ref _settling);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Check(spendId, charges, actual);
        lock (_gate)
        {
            if (!_applied.TryAdd(spendId, (now + BudgetLeaseIds.ReplayWindow).UtcTicks)) return ValueTask.CompletedTask; // a replay
            Add(charges, actual);
        }

        return ValueTask.CompletedTask;
    }

    private static void Check(string id, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.Count != charges.Count) throw new ArgumentException("One actual amount per charge is needed.", nameof(actual));
    }

    /// <inheritdoc />
    public ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var totals = new long[keys.Count];
        lock (_gate) Purge(now);
        for (var i = 0; i < keys.Count; i++)
        {
            if (_counters.TryGetValue(keys[i], out var c)) totals[i] = Volatile.Read(ref c.Total);
        }

        return ValueTask.FromResult(totals);
    }

    /// <summary>Under the lock (so the sweep cannot drop a counter meanwhile): adds spend that no held lease reserved (a late settle, a recorded spend, other charges than the lease's).</summary>
    private void Add(IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual)
    {
        for (var i = 0; i < charges.Count; i++)
        {
            if (actual[i] > 0) Interlocked.Add(ref Find(charges[i].Key, charges[i].ExpiresAt.UtcTicks).Total, actual[i]);
        }
    }

    /// <summary>Under the lock: takes a held lease's reservation back from its counters.</summary>
    private static void Release(Lease lease)
    {
        for (var i = 0; i < lease.Counters.Length; i++) Interlocked.Add(ref lease.Counters[i].Total, -lease.AmountAt(i));
    }

    /// <inheritdoc />
    public ValueTask<bool> TryClaimOnceAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_claims.TryGetValue(key, out var until) && until > now.UtcTicks) return ValueTask.FromResult(false);
            if (_claims.Count >= 4096)
            {
                foreach (var old in _claims.Where(c => c.Value <= now.UtcTicks).Select(c => c.Key).ToList()) _claims.Remove(old);
            }

            _claims[key] = expiresAt.UtcTicks;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask AddToSetAsync(string key, string member, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(member);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_sets.TryGetValue(key, out var set) || set.ExpiresAtTicks <= now.UtcTicks)
            {
                foreach (var old in _sets.Where(c => c.Value.ExpiresAtTicks <= now.UtcTicks).Select(c => c.Key).ToList()) _sets.Remove(old);
                set = (new HashSet<string>(StringComparer.Ordinal), expiresAt.UtcTicks);
            }

            set.Members.Add(member);
            _sets[key] = (set.Members, Math.Max(set.ExpiresAtTicks, expiresAt.UtcTicks));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<string>> GetSetAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyCollection<string>>(_sets.TryGetValue(key, out var set) && set.ExpiresAtTicks > now.UtcTicks ? [.. set.Members] : []);
        }
    }

    /// <summary>
    /// The counter of <paramref name="key"/>, living at least until <paramref name="expiresAtTicks"/>. The caller's lease
    /// is in <see cref="_leases"/>, or the caller holds the lock: the sweep does not remove it meanwhile.
    /// </summary>
    private Counter Find(string key, long expiresAtTicks)
    {
        ref var slot = ref _recent[RuntimeHelpers.GetHashCode(key) & (RecentSlots - 1)];
        var recent = Volatile.Read(ref slot);
        Counter counter;
        if (recent is not null && ReferenceEquals(recent.Key, key) && !Volatile.Read(ref recent.Counter.Removed))
        {
            counter = recent.Counter;
        }
        else
        {
            counter = _counters.GetOrAdd(key, static (_, ticks) => new Counter(ticks), expiresAtTicks);
            if (recent is null || ReferenceEquals(recent.Counter, counter) || Volatile.Read(ref recent.Counter.Removed)) Volatile.Write(ref slot, new Slot(key, counter));
        }

        var until = Volatile.Read(ref counter.ExpiresAtTicks);
        while (until < expiresAtTicks)
        {
            var before = Interlocked.CompareExchange(ref counter.ExpiresAtTicks, expiresAtTicks, until);
            if (before == until) break;
            until = before;
        }

        return counter;
    }

    /// <summary>
    /// The counters of a prepared set, in charge order: the ones cached on the set by the last request if this store cached
    /// them and no sweep has removed a counter since (<paramref name="sweeps"/>, read under the lock when the caller's lease
    /// entered the table, so a sweep that ran before it is seen and one that runs after it spares the lease's counters);
    /// otherwise each one found by key (<see cref="Find"/>) and cached for the next request. The set is for one UTC hour, so
    /// the next hour's requests use another set and never this one's counters.
    /// </summary>
    private Counter[] CountersOf(ChargeSet set, long sweeps)
    {
        if (Volatile.Read(ref set.StoreCache) is CachedCounters cached && ReferenceEquals(cached.Store, this) && cached.Sweeps == sweeps) return cached.Counters;
        var counters = new Counter[set.Count];
        for (var i = 0; i < counters.Length; i++) counters[i] = Find(set.Keys[i], set.ExpiresAt[i].UtcTicks);
        Volatile.Write(ref set.StoreCache, new CachedCounters(this, sweeps, counters));
        return counters;
    }

    /// <summary>Under the lock: releases expired leases, compacts the expiry queue, and (once a minute) forgets ended counters.</summary>
    private void Purge(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        List<(string, long)>? pending = null;
        while (_expiries.TryPeek(out var id, out var expiry) && expiry <= ticks)
        {
            _expiries.Dequeue();
            if (!_leases.TryGetValue(id, out var lease)) continue; // settled or refused
            if (Volatile.Read(ref lease.State) != Active)
            {
                // Still charging its counters (a lease that expires at once): released by the next purge.
                (pending ??= []).Add((id, expiry));
                continue;
            }

            _leases.Remove(id);
            Release(lease);
            _expired[id] = lease.LatestExpiryTicks; // its settle, if it ever comes, still adds what was spent
        }

        if (pending is not null) _expiries.EnqueueRange(pending);

        // Settled leases stay in the expiry queue until their time; rebuild it when they are most of it, so that it
        // holds O(active leases), not O(requests per lease duration).
        if (_expiries.Count > CompactThreshold && _expiries.Count > 4 * _leases.Count)
        {
            var live = new List<(string, long)>(_leases.Count);
            while (_expiries.TryDequeue(out var id, out var expiry))
            {
                if (_leases.ContainsKey(id)) live.Add((id, expiry));
            }

            _expiries.EnqueueRange(live);
        }

        // Forget ended windows, at most once a minute — but never a counter that a lease still names: a held lease's settle
        // adds to the counter it reserved on, and a pending one may be charging it right now (it entered the table, under
        // this lock, before it looked its counters up).
        if (ticks < _nextSweepTicks) return;
        _nextSweepTicks = ticks + TimeSpan.TicksPerMinute;
        HashSet<string>? named = null;
        foreach (var (key, counter) in _counters)
        {
            if (Volatile.Read(ref counter.ExpiresAtTicks) > ticks) continue;
            if (named is null)
            {
                // Settles that left the table before this lock was taken finish their additions first (no new one starts
                // while the lock is held).
                var wait = default(SpinWait);
                while (Volatile.Read(ref _settling) != 0) wait.SpinOnce();
                named = NamedByLeases();
            }

            if (named.Contains(key)) continue;
            _sweeps++; // every prepared set's cached counters are found again by key from now on
            Volatile.Write(ref counter.Removed, true); // a slot of _recent that still holds it is a miss from now on
            _counters.TryRemove(new KeyValuePair<string, Counter>(key, counter));
        }

        // Forget expired leases whose counters have ended (a settle can no longer matter) and applied settles past the replay window.
        AppliedMarkers.Forget(_expired, ticks);
        _applied.Forget(ticks);
    }

    /// <summary>Under the lock: the keys of every counter a lease in the table names.</summary>
    private HashSet<string> NamedByLeases()
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lease in _leases.Values)
        {
            foreach (var charge in lease.Charges) named.Add(charge.Key);
        }

        return named;
    }

    /// <summary>One windowed counter. Its fields change only through <see cref="Interlocked"/> operations.</summary>
    private sealed class Counter(long expiresAtTicks)
    {
        /// <summary>Used + reserved (the store never needs them apart).</summary>
        public long Total;

        public long ExpiresAtTicks = expiresAtTicks;

        /// <summary>Set (under the lock) when the sweep removed it.</summary>
        public bool Removed;
    }

    /// <summary>A prepared set's counters in this store, found when <see cref="_sweeps"/> was <paramref name="sweeps"/> (never changed once made).</summary>
    private sealed class CachedCounters(InMemoryBudgetStore store, long sweeps, Counter[] counters)
    {
        public InMemoryBudgetStore Store { get; } = store;

        public long Sweeps { get; } = sweeps;

        public Counter[] Counters { get; } = counters;
    }

    /// <summary>A key string and the counter it found (one slot of <see cref="_recent"/>).</summary>
    private sealed class Slot(string key, Counter counter)
    {
        public string Key { get; } = key;

        public Counter Counter { get; } = counter;
    }

    /// <summary>A reservation: pending while its counters are being charged, then active until it is settled or expires.</summary>
    /// <param name="counters">The counters, filled in as they are charged; null: a prepared set's, assigned before it is charged.</param>
    /// <param name="amounts">What is reserved on each counter; null: <paramref name="amount"/> on every one.</param>
    /// <param name="amount">The amount on every counter when <paramref name="amounts"/> is null.</param>
    /// <param name="latestExpiryTicks">The latest expiry of its counters.</param>
    /// <param name="charges">The charges it was reserved with (a settle with the same object needs no key lookup).</param>
    private sealed class Lease(Counter[]? counters, long[]? amounts, long amount, long latestExpiryTicks, IReadOnlyList<BudgetCharge> charges)
    {
        private readonly long[]? _amounts = amounts;

        public int State = Pending;

        /// <summary>The counters (complete before <see cref="State"/> becomes active; shared with other leases of a prepared set).</summary>
        public Counter[] Counters = counters ?? [];

        public long Amount { get; } = amount;

        public long AmountAt(int index) => _amounts is null ? Amount : _amounts[index];

        public long LatestExpiryTicks { get; } = latestExpiryTicks;

        public IReadOnlyList<BudgetCharge> Charges { get; } = charges;

        public long[] CurrentTotals()
        {
            var totals = new long[Counters.Length];
            for (var i = 0; i < totals.Length; i++) totals[i] = Volatile.Read(ref Counters[i].Total);
            return totals;
        }
    }
}
