namespace PromptOps.Budgets;

/// <summary>
/// The default <see cref="IBudgetStore"/>: counters in this process, under one lock (each operation is a few
/// dictionary updates). Expired leases are dropped in expiry order before every reservation; counters whose window
/// has ended are forgotten. A lease that expires unsettled is remembered (until its counters end) so that its late
/// settle adds the real amount exactly once. Several processes need <c>RedisBudgetStore</c> (PromptOps.Redis) to share a budget.
/// </summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int CompactThreshold = 1024;
    private readonly object _gate = new();
    // Concurrent so that a reservation finds its counters before it takes the lock (a request with seven counters spent most
    // of its time under the lock hashing keys); every change to a counter and every removal still happens under _gate,
    // and a counter removed meanwhile is marked, so the reservation looks it up again under the lock.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _expiries = new();

    /// <summary>Leases that expired before they were settled (their late settle still adds the spend), until their counters end.</summary>
    private readonly Dictionary<string, long> _expired = new(StringComparer.Ordinal);

    /// <summary>Settles and recorded spends applied (by id) and until when they are remembered, so that a replay changes nothing.</summary>
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (HashSet<string> Members, long ExpiresAtTicks)> _sets = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    /// <inheritdoc />
    public string Name => "memory";

    /// <summary>How many counters are held (ended windows are forgotten); for tests and diagnostics.</summary>
    public int CounterCount
    {
        get
        {
            lock (_gate) return _counters.Count;
        }
    }

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
        if (charges.Count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        cancellationToken.ThrowIfCancellationRequested();
        var totals = new long[charges.Count];
        var found = new Counter[charges.Count];
        for (var i = 0; i < charges.Count; i++) found[i] = _counters.GetOrAdd(charges[i].Key, static (_, ticks) => new Counter(ticks), charges[i].ExpiresAt.UtcTicks);
        lock (_gate)
        {
            Purge(now);
            if (_leases.ContainsKey(leaseId))
            {
                // A retry of a reservation that was made: return it again, reserve nothing more.
                for (var i = 0; i < charges.Count; i++) totals[i] = _counters.TryGetValue(charges[i].Key, out var held) ? held.Used + held.Reserved : 0;
                return ValueTask.FromResult(BudgetReservation.Reserved(leaseId, totals));
            }

            var counters = new Counter[charges.Count];
            for (var i = 0; i < charges.Count; i++)
            {
                var c = charges[i];
                if (c.Amount < 0) throw new ArgumentOutOfRangeException(nameof(charges), c.Amount, $"The amount reserved on '{c.Key}' is negative.");
                var counter = counters[i] = found[i].Removed ? GetOrAdd(c.Key, c.ExpiresAt) : Extend(found[i], c.ExpiresAt);
                totals[i] = counter.Used + counter.Reserved;
                if (totals[i] + c.Amount > c.Limit)
                {
                    for (var j = i + 1; j < charges.Count; j++)
                    {
                        if (_counters.TryGetValue(charges[j].Key, out var later)) totals[j] = later.Used + later.Reserved;
                    }

                    return ValueTask.FromResult(BudgetReservation.Refused(i, totals));
                }
            }

            var amounts = new long[charges.Count];
            for (var i = 0; i < charges.Count; i++)
            {
                var counter = counters[i];
                counter.Reserved += charges[i].Amount;
                counter.ActiveLeases++;
                amounts[i] = charges[i].Amount;
                totals[i] = counter.Used + counter.Reserved;
            }

            _leases.Add(leaseId, new Lease(counters, amounts, Latest(charges), charges));
            _expiries.Enqueue(leaseId, leaseExpiresAt.UtcTicks);
            return ValueTask.FromResult(BudgetReservation.Reserved(leaseId, totals));
        }
    }

    /// <inheritdoc cref="IBudgetStore.SettleAsync(string, IReadOnlyList{BudgetCharge}, IReadOnlyList{long}, CancellationToken)" />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken) =>
        SettleAsync(leaseId, charges, actual, DateTimeOffset.UtcNow, cancellationToken);

    /// <inheritdoc />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Check(leaseId, charges, actual);
        lock (_gate)
        {
            if (_leases.Remove(leaseId, out var lease))
            {
                Release(lease);
                _applied[leaseId] = (now + BudgetLeaseIds.ReplayWindow).UtcTicks;
                if (ReferenceEquals(charges, lease.Charges))
                {
                    // The charges it was reserved with: its counters are at hand (a counter with an active lease is never
                    // purged), so no key is looked up again — what a request with seven counters mostly paid for here.
                    for (var i = 0; i < lease.Counters.Length; i++)
                    {
                        if (actual[i] > 0) lease.Counters[i].Used += actual[i];
                    }

                    return ValueTask.CompletedTask;
                }

                Add(charges, actual);
                return ValueTask.CompletedTask;
            }

            _expired.Remove(leaseId); // expired unsettled: owed, added below
            if (_applied.ContainsKey(leaseId)) return ValueTask.CompletedTask; // applied already: a replay
            _applied[leaseId] = (now + BudgetLeaseIds.ReplayWindow).UtcTicks;
            Add(charges, actual);
        }

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
        lock (_gate)
        {
            Purge(now);
            for (var i = 0; i < keys.Count; i++)
            {
                if (_counters.TryGetValue(keys[i], out var c)) totals[i] = c.Used + c.Reserved;
            }
        }

        return ValueTask.FromResult(totals);
    }

    private void Add(IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual)
    {
        for (var i = 0; i < charges.Count; i++)
        {
            if (actual[i] > 0) GetOrAdd(charges[i].Key, charges[i].ExpiresAt).Used += actual[i];
        }
    }

    private static long Latest(IReadOnlyList<BudgetCharge> charges)
    {
        var latest = long.MinValue;
        foreach (var c in charges) latest = Math.Max(latest, c.ExpiresAt.UtcTicks);
        return latest;
    }

    private static void Release(Lease lease)
    {
        for (var i = 0; i < lease.Counters.Length; i++)
        {
            lease.Counters[i].Reserved -= lease.Amounts[i];
            lease.Counters[i].ActiveLeases--;
        }
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

    private Counter GetOrAdd(string key, DateTimeOffset expiresAt) =>
        Extend(_counters.GetOrAdd(key, static (_, ticks) => new Counter(ticks), expiresAt.UtcTicks), expiresAt);

    /// <summary>Under the lock: the counter, living at least until <paramref name="expiresAt"/>.</summary>
    private static Counter Extend(Counter counter, DateTimeOffset expiresAt)
    {
        if (expiresAt.UtcTicks > counter.ExpiresAtTicks) counter.ExpiresAtTicks = expiresAt.UtcTicks;
        return counter;
    }

    private void Purge(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        while (_expiries.TryPeek(out var id, out var expiry) && expiry <= ticks)
        {
            _expiries.Dequeue();
            if (_leases.Remove(id, out var lease))
            {
                Release(lease);
                _expired[id] = lease.LatestExpiryTicks; // its settle, if it ever comes, still adds what was spent
            }
        }

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

        // Forget ended windows, at most once a minute.
        if (ticks < _nextSweepTicks) return;
        _nextSweepTicks = ticks + TimeSpan.TicksPerMinute;
        List<string>? ended = null;
        foreach (var (key, counter) in _counters)
        {
            if (counter.ExpiresAtTicks <= ticks && counter.ActiveLeases == 0) (ended ??= []).Add(key);
        }

        if (ended is not null)
        {
            foreach (var key in ended)
            {
                if (_counters.TryRemove(key, out var removed)) removed.Removed = true;
            }
        }

        // Forget expired leases whose counters have ended (a settle can no longer matter) and applied settles past the replay window.
        Forget(_expired, ticks);
        Forget(_applied, ticks);
    }

    private sealed class Counter(long expiresAtTicks)
    {
        /// <summary>Set (under the lock) when the counter left the dictionary: a reservation that found it before must look again.</summary>
        public bool Removed { get; set; }

        public long ExpiresAtTicks { get; set; } = expiresAtTicks;

        public long Used { get; set; }

        public long Reserved { get; set; }

        public int ActiveLeases { get; set; }
    }

    private static void Forget(Dictionary<string, long> markers, long ticks)
    {
        List<string>? old = null;
        foreach (var (id, until) in markers)
        {
            if (until <= ticks) (old ??= []).Add(id);
        }

        if (old is null) return;
        foreach (var id in old) markers.Remove(id);
    }

    private sealed record Lease(Counter[] Counters, long[] Amounts, long LatestExpiryTicks, IReadOnlyList<BudgetCharge> Charges);
}
