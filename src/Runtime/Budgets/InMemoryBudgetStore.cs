namespace PromptOps.Budgets;

/// <summary>
/// The default <see cref="IBudgetStore"/>: counters in this process, under one lock (each operation is a few
/// dictionary updates). Expired leases are dropped in expiry order before every reservation; counters whose window
/// has ended are forgotten. Several processes need <see cref="Redis.RedisBudgetStore"/> to share a budget.
/// </summary>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(Counter Counter, long Lease), long> _expiries = new();
    private long _nextLease;
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

    /// <inheritdoc />
    public ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charges);
        if (charges.Count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        cancellationToken.ThrowIfCancellationRequested();
        var totals = new long[charges.Count];
        lock (_gate)
        {
            Purge(now);
            var counters = new Counter[charges.Count];
            for (var i = 0; i < charges.Count; i++)
            {
                var c = charges[i];
                if (c.Amount < 0) throw new ArgumentOutOfRangeException(nameof(charges), c.Amount, $"The amount reserved on '{c.Key}' is negative.");
                var counter = counters[i] = GetOrAdd(c.Key, c.ExpiresAt);
                totals[i] = counter.Used + counter.Reserved;
                if (totals[i] + c.Amount > c.Limit) return ValueTask.FromResult(BudgetReservation.Refused(i, totals));
            }

            var lease = ++_nextLease;
            for (var i = 0; i < charges.Count; i++)
            {
                var counter = counters[i];
                counter.Reserved += charges[i].Amount;
                counter.Leases[lease] = charges[i].Amount;
                totals[i] = counter.Used + counter.Reserved;
                _expiries.Enqueue((counter, lease), leaseExpiresAt.UtcTicks);
            }

            return ValueTask.FromResult(BudgetReservation.Reserved(lease.ToString(System.Globalization.CultureInfo.InvariantCulture), totals));
        }
    }

    /// <inheritdoc />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.Count != charges.Count) throw new ArgumentException("One actual amount per charge is needed.", nameof(actual));
        _ = long.TryParse(leaseId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var lease);
        lock (_gate)
        {
            for (var i = 0; i < charges.Count; i++)
            {
                var counter = GetOrAdd(charges[i].Key, charges[i].ExpiresAt);
                if (counter.Leases.Remove(lease, out var reserved)) counter.Reserved -= reserved;
                counter.Used += Math.Max(0, actual[i]);
            }
        }

        return ValueTask.CompletedTask;
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

    private Counter GetOrAdd(string key, DateTimeOffset expiresAt)
    {
        if (!_counters.TryGetValue(key, out var counter))
        {
            counter = new Counter(key, expiresAt.UtcTicks);
            _counters.Add(key, counter);
        }
        else if (expiresAt.UtcTicks > counter.ExpiresAtTicks)
        {
            counter.ExpiresAtTicks = expiresAt.UtcTicks;
        }

        return counter;
    }

    private void Purge(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        while (_expiries.TryPeek(out var item, out var expiry) && expiry <= ticks)
        {
            _expiries.Dequeue();
            if (item.Counter.Leases.Remove(item.Lease, out var amount)) item.Counter.Reserved -= amount;
        }

        // Forget ended windows, at most once a minute.
        if (ticks < _nextSweepTicks) return;
        _nextSweepTicks = ticks + TimeSpan.TicksPerMinute;
        List<string>? ended = null;
        foreach (var (key, counter) in _counters)
        {
            if (counter.ExpiresAtTicks <= ticks && counter.Leases.Count == 0) (ended ??= []).Add(key);
        }

        if (ended is null) return;
        foreach (var key in ended) _counters.Remove(key);
    }

    private sealed class Counter(string key, long expiresAtTicks)
    {
        public string Key { get; } = key;

        public long ExpiresAtTicks { get; set; } = expiresAtTicks;

        public long Used { get; set; }

        public long Reserved { get; set; }

        public Dictionary<long, long> Leases { get; } = [];
    }
}
