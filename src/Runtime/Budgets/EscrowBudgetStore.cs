using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Budgets;

/// <summary>
/// Escrowed budgets (<see cref="BudgetStoreFailurePolicy.Escrow"/>): this instance reserves slices of the shared budget
/// ahead of need — a slice is one lease in the shared store of <see cref="EscrowOptions.Share"/> of the smallest limit
/// (at least the request's worst case) on every window — and grants reservations from them locally. The shared store
/// therefore always holds, as reserved, everything any instance may still spend; while it cannot be reached an instance
/// spends what its slices hold and nothing more, so all instances together never pass a limit during an outage.
/// <para>A slice is replaced every <see cref="EscrowOptions.CheckpointInterval"/> (what it spent is settled into the shared
/// total, what it did not is returned), and is never used past half its lease (so its calls can finish before the shared
/// store would drop it); a slice that is replaced or expires is settled as soon as its last call is. When a slice cannot
/// be had (the budget is nearly spent) a request reserves its own worst case in the shared store, as without escrow.
/// Settles and releases that cannot reach the shared store are replayed by the <see cref="ResilientBudgetStore"/> below
/// (use it with <see cref="BudgetStoreFailurePolicy.FailClosed"/>, so that an outage is seen here).</para>
/// <para>Only what the provider bills above a call's reservation (a provider past its output limit) can pass a limit; the
/// breaker logs and counts it. A shared store that loses its data (Redis restarted without persistence) loses the spend
/// it held: run Redis with AOF for the escrow's bound to survive a restart.</para>
/// </summary>
internal sealed class EscrowBudgetStore : IBudgetStore, IAsyncDisposable, IDisposable
{
    private readonly IBudgetStore _shared;
    private readonly EscrowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, Slice> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalGrant> _grants = new(StringComparer.Ordinal);
    private readonly List<Slice> _closing = [];
    private readonly Dictionary<string, long> _lastTotals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _acquiring = new(StringComparer.Ordinal);
    private readonly ITimer _timer;

    /// <summary>Creates the escrow over <paramref name="shared"/> (a <see cref="ResilientBudgetStore"/> that fails closed, usually over Redis).</summary>
    public EscrowBudgetStore(IBudgetStore shared, EscrowOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(shared);
        _options = options?.Clone() ?? new EscrowOptions();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        _shared = shared;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _timer = _time.CreateTimer(static state => _ = ((EscrowBudgetStore)state!).CheckpointAsync(), this, _options.CheckpointInterval, _options.CheckpointInterval);
    }

    /// <inheritdoc />
    public string Name => _shared.Name;

    /// <summary>What the slices of this instance hold now and have not spent or granted (for tests and diagnostics), per counter key.</summary>
    public IReadOnlyDictionary<string, long> Available
    {
        get
        {
            lock (_gate)
            {
                var result = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var slice in _current.Values.Where(s => !s.Closed))
                {
                    for (var i = 0; i < slice.Charges.Length; i++) result[slice.Charges[i].Key] = slice.Held - slice.Spent[i] - slice.Granted[i];
                }

                return result;
            }
        }
    }

    /// <summary>Slices held (open or waiting for their last call) — for tests.</summary>
    public int SliceCount
    {
        get
        {
            lock (_gate) return _current.Count + _closing.Count;
        }
    }

    /// <summary>Claims in the shared store (never from a slice: a claim is one per key across every instance).</summary>
    public ValueTask<bool> TryClaimOnceAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        _shared.TryClaimOnceAsync(key, now, expiresAt, cancellationToken);

    /// <summary>Sets live in the shared store (a stop holds on every instance).</summary>
    public ValueTask AddToSetAsync(string key, string member, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        _shared.AddToSetAsync(key, member, now, expiresAt, cancellationToken);

    /// <summary>The set's members in the shared store.</summary>
    public ValueTask<IReadOnlyCollection<string>> GetSetAsync(string key, DateTimeOffset now, CancellationToken cancellationToken) =>
        _shared.GetSetAsync(key, now, cancellationToken);

    /// <inheritdoc cref="IBudgetStore.TryReserveAsync(IReadOnlyList{BudgetCharge}, DateTimeOffset, DateTimeOffset, CancellationToken)" />
    public ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        TryReserveAsync(BudgetLeaseIds.New(), charges, now, leaseExpiresAt, cancellationToken);

    /// <summary>
    /// Reserves every charge, or none. The charges of a tenant, a user or a prompt (<see cref="CostBudget.Key(BudgetScope, string?, BudgetWindow, DateTimeOffset)"/>)
    /// are escrowed in slices of their own, apart from the application's: a slice of the application's windows is shared
    /// by every request of this instance, and a user's slice holds a share of that user's limit only (one set per scope id
    /// would otherwise hold a slice of the application's budget for every active user, and refuse requests with the
    /// application's budget mostly unspent). Each group is reserved in turn; when one is refused, those already reserved
    /// are released.
    /// </summary>
    public async ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentNullException.ThrowIfNull(charges);
        if (charges.Count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        var groups = Groups(charges);
        if (groups is null) return await ReserveGroupAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken).ConfigureAwait(false);

        var totals = new long[charges.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var part = groups[g].Select(i => charges[i]).ToArray();
            var reservation = await ReserveGroupAsync(SubLease(leaseId, g), part, now, leaseExpiresAt, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < part.Length && j < reservation.Totals.Count; j++) totals[groups[g][j]] = reservation.Totals[j];
            if (reservation.IsReserved) continue;

            for (var h = 0; h < g; h++)
            {
                var done = groups[h].Select(i => charges[i]).ToArray();
                await SettleGroupAsync(SubLease(leaseId, h), done, new long[done.Length], now, CancellationToken.None).ConfigureAwait(false);
            }

            return BudgetReservation.Refused(groups[g][reservation.RefusedIndex], totals);
        }

        return BudgetReservation.Reserved(leaseId, totals);
    }

    /// <summary>The lease id of group <paramref name="group"/> of a reservation made of several groups.</summary>
    private static string SubLease(string leaseId, int group) => leaseId + "/" + group.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The indexes of the charges in each escrow group, in order of first appearance: the application's (and any key that is
    /// not a scope's) in one, each tenant, user or prompt in its own. Null when there is one group (the common case).
    /// </summary>
    private static List<int[]>? Groups(IReadOnlyList<BudgetCharge> charges)
    {
        if (charges.Count == 1) return null;
        var first = GroupOf(charges[0].Key);
        var single = true;
        for (var i = 1; i < charges.Count && single; i++) single = GroupOf(charges[i].Key) == first;
        if (single) return null;
        var order = new List<string>();
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < charges.Count; i++)
        {
            var group = GroupOf(charges[i].Key);
            if (!members.TryGetValue(group, out var list))
            {
                members[group] = list = [];
                order.Add(group);
            }

            list.Add(i);
        }

        return [.. order.Select(g => members[g].ToArray())];
    }

    /// <summary><c>{budget}:u:alice</c> for <c>{budget}:u:alice:d:20261203</c> (a scope's window); the empty string for any other key.</summary>
    private static string GroupOf(string key)
    {
        if (!key.StartsWith("{budget}:", StringComparison.Ordinal) || key.Length < 12 || key[10] != ':' || key[9] is not ('t' or 'u' or 'p')) return "";
        var last = key.LastIndexOf(':');
        var window = last > 0 ? key.LastIndexOf(':', last - 1) : -1;
        return window > 10 ? key[..window] : "";
    }

    private async ValueTask<BudgetReservation> ReserveGroupAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        var set = SetKey(charges);
        TaskCompletionSource acquiring;
        while (true)
        {
            Task? other;
            lock (_gate)
            {
                if (TryGrant(set, leaseId, charges, now, allowDue: false) is { } granted) return granted;

                // One slice is taken at a time per set of counters: requests that find no room while a slice is on its
                // way wait for it and try again, instead of each reserving a slice of its own (a burst of N misses would
                // otherwise hold N slices for N calls, and refuse the requests after them with the budget far from spent).
                if (!_acquiring.TryGetValue(set, out other))
                {
                    acquiring = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _acquiring[set] = acquiring.Task;
                    break;
                }
            }

            await other.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await AcquireAndGrantAsync(set, leaseId, charges, now, leaseExpiresAt, acquiring, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReleaseAcquiring(set, acquiring);
        }
    }

    private void ReleaseAcquiring(string set, TaskCompletionSource acquiring)
    {
        lock (_gate)
        {
            if (_acquiring.TryGetValue(set, out var task) && task == acquiring.Task) _acquiring.Remove(set);
        }

        acquiring.TrySetResult();
    }

    /// <summary>Takes a new slice (this request is the only one taking a slice for <paramref name="set"/>) and grants from it.</summary>
    private async ValueTask<BudgetReservation> AcquireAndGrantAsync(string set, string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt,
        TaskCompletionSource acquiring, CancellationToken cancellationToken)
    {
        // No slice, or one too small or due for its checkpoint: take a new one from the shared store.
        var size = SliceSize(charges);
        var sliceCharges = charges.Select(c => c with { Amount = c.Amount == 0 ? 0 : size }).ToArray();
        var sliceId = BudgetLeaseIds.New();
        BudgetReservation slice;
        try
        {
            slice = await _shared.TryReserveAsync(sliceId, sliceCharges, now, now + _options.SliceLease, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (e is ArgumentException) throw;

            // The shared store cannot be reached: spend what the slices hold, and nothing more.
            lock (_gate)
            {
                if (TryGrant(set, leaseId, charges, now, allowDue: true) is { } held) return held;
            }

            throw new BudgetStoreUnavailableException(_shared.Name, _options.CheckpointInterval,
                $"PromptOps budget: the {_shared.Name} budget store cannot be reached and this instance's escrowed share of the budget is spent (policy Escrow); '{charges[0].Key}' cannot be checked. Retry later.",
                e)
            {
                ByAmount = true,
            };
        }

        Remember(charges, slice.Totals);
        if (slice.IsReserved)
        {
            Slice? toSettle;
            BudgetReservation grant;
            lock (_gate)
            {
                var fresh = new Slice(slice.LeaseId!, sliceCharges, size, now + _options.CheckpointInterval, now + (_options.SliceLease / 2));
                toSettle = _current.Remove(set, out var previous) ? Close(previous) : null;
                _current[set] = fresh;
                grant = Grant(fresh, leaseId, charges, slice.Totals);
            }

            ReleaseAcquiring(set, acquiring); // the new slice is in place: waiters need not wait for the old one's settle
            if (toSettle is not null) await SettleSliceAsync(toSettle, now).ConfigureAwait(false);
            return grant;
        }

        // Not enough left for a slice: this request alone, exactly as without escrow.
        ReleaseAcquiring(set, acquiring);
        var direct = await _shared.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken).ConfigureAwait(false);
        Remember(charges, direct.Totals);
        return direct;
    }

    /// <inheritdoc />
    public async ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(actual);
        if (Groups(charges) is not { } groups)
        {
            await SettleGroupAsync(leaseId, charges, actual, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var g = 0; g < groups.Count; g++)
        {
            await SettleGroupAsync(SubLease(leaseId, g), [.. groups[g].Select(i => charges[i])], [.. groups[g].Select(i => i < actual.Count ? actual[i] : 0)], now, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SettleGroupAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Slice? done = null;
        bool granted;
        lock (_gate)
        {
            granted = _grants.Remove(leaseId, out var grant);
            if (granted)
            {
                var slice = grant!.Slice;
                for (var i = 0; i < grant.Amounts.Length; i++)
                {
                    slice.Granted[i] -= grant.Amounts[i];
                    slice.Spent[i] += Math.Max(0, i < actual.Count ? actual[i] : 0);
                }

                slice.Calls--;
                if (slice.Closed && slice.Calls == 0 && _closing.Remove(slice)) done = slice;
            }
        }

        if (!granted) await _shared.SettleAsync(leaseId, charges, actual, now, cancellationToken).ConfigureAwait(false); // reserved directly in the shared store
        else if (done is not null) await SettleSliceAsync(done, now).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
        _shared.RecordSpendAsync(spendId, charges, actual, now, cancellationToken);

    /// <summary>The shared totals (which count every slice as reserved); the last ones seen while the store cannot be reached.</summary>
    public async ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        try
        {
            var totals = await _shared.GetTotalsAsync(keys, now, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                for (var i = 0; i < keys.Count; i++) _lastTotals[keys[i]] = totals[i];
            }

            return totals;
        }
        catch (Exception e) when (e is not OperationCanceledException && e is not ArgumentException)
        {
            lock (_gate) return [.. keys.Select(k => _lastTotals.GetValueOrDefault(k))];
        }
    }

    /// <summary>
    /// Settles every slice that is due (its checkpoint passed) and idle, so that spend reaches the shared total even when
    /// no request comes; the timer calls it every <see cref="EscrowOptions.CheckpointInterval"/>.
    /// </summary>
    public Task CheckpointAsync() => CheckpointAsync(all: false);

    /// <summary>
    /// Settles every slice now — what it spent into the shared total, the rest back to the budget (a slice with calls in
    /// flight is settled when its last call is) — for example before reading the shared totals. New slices are taken on
    /// the next request.
    /// </summary>
    public Task FlushAsync() => CheckpointAsync(all: true);

    private async Task CheckpointAsync(bool all)
    {
        // While the shared store is down a slice is all this instance may spend: keep it (until half its lease).
        if (!all && _shared is ResilientBudgetStore { IsDown: true }) return;
        var now = _time.GetUtcNow();
        List<Slice> due = [];
        lock (_gate)
        {
            foreach (var (set, slice) in _current.ToList())
            {
                if (!all && now < slice.CheckpointAt) continue;
                _current.Remove(set);
                if (Close(slice) is { } idle) due.Add(idle);
            }
        }

        foreach (var slice in due)
        {
            try
            {
                await SettleSliceAsync(slice, now).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                EscrowLog.CheckpointFailed(_logger, e);
            }
        }
    }

    /// <summary>Returns every unspent slice to the shared budget (slices with calls in flight are settled when their last call is).</summary>
    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        List<Slice> idle = [];
        lock (_gate)
        {
            foreach (var slice in _current.Values)
            {
                if (Close(slice) is { } s) idle.Add(s);
            }

            _current.Clear();
        }

        var now = _time.GetUtcNow();
        foreach (var slice in idle)
        {
            try
            {
                await SettleSliceAsync(slice, now).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                EscrowLog.CheckpointFailed(_logger, e);
            }
        }
    }

    /// <summary>Returns every unspent slice (blocks until the shared store answered or failed).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>A grant from the current slice of <paramref name="set"/> when it has room (and is not due, unless <paramref name="allowDue"/>).</summary>
    private BudgetReservation? TryGrant(string set, string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, bool allowDue)
    {
        if (!_current.TryGetValue(set, out var slice) || slice.Closed) return null;
        if (now >= slice.UsableUntil || (!allowDue && now >= slice.CheckpointAt)) return null;
        for (var i = 0; i < charges.Count; i++)
        {
            if (slice.Held - slice.Spent[i] - slice.Granted[i] < charges[i].Amount) return null;
        }

        return Grant(slice, leaseId, charges, null);
    }

    private BudgetReservation Grant(Slice slice, string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long>? sharedTotals)
    {
        var amounts = new long[charges.Count];
        var totals = new long[charges.Count];
        for (var i = 0; i < charges.Count; i++)
        {
            amounts[i] = charges[i].Amount;
            slice.Granted[i] += amounts[i];
            // What the shared store counts for this counter: everything reserved, slices in full (last seen).
            totals[i] = sharedTotals is not null && i < sharedTotals.Count ? sharedTotals[i] : _lastTotals.GetValueOrDefault(charges[i].Key);
        }

        slice.Calls++;
        _grants[leaseId] = new LocalGrant(slice, amounts);
        return BudgetReservation.Reserved(leaseId, totals);
    }

    /// <summary>Marks a slice closed; returns it when it has no call in flight (settle it now), else keeps it until its last call.</summary>
    private Slice? Close(Slice slice)
    {
        slice.Closed = true;
        if (slice.Calls == 0) return slice;
        _closing.Add(slice);
        return null;
    }

    /// <summary>Settles a slice's lease in the shared store with what it spent (the rest returns to the budget).</summary>
    private async ValueTask SettleSliceAsync(Slice slice, DateTimeOffset now)
    {
        try
        {
            await _shared.SettleAsync(slice.LeaseId, slice.Charges, slice.Spent, now, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            // The resilient store below keeps it for replay; if it cannot, the slice expires with its lease.
            EscrowLog.CheckpointFailed(_logger, e);
        }
    }

    private long SliceSize(IReadOnlyList<BudgetCharge> charges)
    {
        var smallestLimit = charges.Min(c => c.Limit);
        var share = (long)Math.Floor(smallestLimit * _options.Share);
        return Math.Max(charges.Max(c => c.Amount), share);
    }

    private void Remember(IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> totals)
    {
        lock (_gate)
        {
            for (var i = 0; i < charges.Count && i < totals.Count; i++) _lastTotals[charges[i].Key] = totals[i];
        }
    }

    private static string SetKey(IReadOnlyList<BudgetCharge> charges) => charges.Count == 1 ? charges[0].Key : string.Join('\n', charges.Select(c => c.Key));

    /// <summary>A slice: one lease in the shared store holding <see cref="Held"/> on each counter of <see cref="Charges"/>.</summary>
    private sealed class Slice(string leaseId, BudgetCharge[] charges, long held, DateTimeOffset checkpointAt, DateTimeOffset usableUntil)
    {
        public string LeaseId { get; } = leaseId;

        public BudgetCharge[] Charges { get; } = charges;

        public long Held { get; } = held;

        public long[] Spent { get; } = new long[charges.Length];

        public long[] Granted { get; } = new long[charges.Length];

        public int Calls { get; set; }

        public bool Closed { get; set; }

        public DateTimeOffset CheckpointAt { get; } = checkpointAt;

        public DateTimeOffset UsableUntil { get; } = usableUntil;
    }

    private sealed record LocalGrant(Slice Slice, long[] Amounts);
}
