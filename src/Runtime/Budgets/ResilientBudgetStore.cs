using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Budgets;

/// <summary>
/// Puts a shared store (Redis) behind a failure policy. A failed operation is retried once at once (every store
/// operation is safe to replay: a reservation keeps its lease id), so a single timeout is a retry, not an outage. A
/// second failure logs one warning and marks the store down for the retry interval; while it is down, reservations go
/// to the local store (<see cref="BudgetStoreFailurePolicy.FallbackToLocal"/>) or are refused
/// (<see cref="BudgetStoreFailurePolicy.FailClosed"/>); after the interval one request probes the store, and its first
/// success logs the recovery. What could not reach the store is kept (bounded) and replayed when it answers again: a
/// settle that failed; the release of a reservation whose reply was lost (so it does not hold budget until it expires);
/// and spend made on local leases during the outage (recorded once in the shared total).
/// </summary>
internal sealed class ResilientBudgetStore : IBudgetStore
{
    private const string LocalLeasePrefix = "local:";
    private const int MaxPendingSettles = 100_000;
    private readonly IBudgetStore _primary;
    private readonly InMemoryBudgetStore _local = new();
    private readonly BudgetStoreFailurePolicy _policy;
    private readonly TimeSpan _retryInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<PendingSettle> _pending = new();
    private readonly object _gate = new();
    private bool _down;
    private long _retryAt;
    private int _replaying;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="primary">The shared store (e.g. <c>RedisBudgetStore</c> (PromptOps.Redis)).</param>
    /// <param name="policy">What to do while <paramref name="primary"/> fails.</param>
    /// <param name="retryInterval">How long the store is skipped after a failure before one request probes it.</param>
    /// <param name="timeProvider">The clock of the retry interval.</param>
    /// <param name="logger">Receives one warning per outage and one message on recovery.</param>
    public ResilientBudgetStore(IBudgetStore primary, BudgetStoreFailurePolicy policy, TimeSpan retryInterval, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        if (retryInterval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(retryInterval), retryInterval, "The retry interval cannot be negative.");
        _primary = primary;
        _policy = policy;
        _retryInterval = retryInterval;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => _primary.Name;

    /// <summary>What this store does while the shared store is down.</summary>
    public BudgetStoreFailurePolicy Policy => _policy;

    /// <summary>True while the shared store is considered down.</summary>
    public bool IsDown
    {
        get
        {
            lock (_gate) return _down;
        }
    }

    /// <summary>Settles that failed and wait to be replayed on the shared store.</summary>
    public int PendingSettles => _pending.Count;

    /// <summary>The local store used while the shared one is down (<see cref="BudgetStoreFailurePolicy.FallbackToLocal"/>).</summary>
    public InMemoryBudgetStore Local => _local;

    /// <inheritdoc cref="IBudgetStore.TryReserveAsync(IReadOnlyList{BudgetCharge}, DateTimeOffset, DateTimeOffset, CancellationToken)" />
    public ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        TryReserveAsync(BudgetLeaseIds.New(), charges, now, leaseExpiresAt, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (ShouldTry())
        {
            Exception? failure = null;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    var r = await _primary.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken).ConfigureAwait(false);
                    await SucceededAsync(cancellationToken).ConfigureAwait(false);
                    return r;
                }
                catch (Exception e) when (IsStoreFailure(e, cancellationToken))
                {
                    failure = e;
                }
            }

            // The reservation may have been made before its reply was lost: release it when the store is back.
            Enqueue(new PendingSettle(leaseId, [.. charges], new long[charges.Count], IsSpend: false));
            Failed(failure!);
        }

        if (_policy == BudgetStoreFailurePolicy.FailClosed) throw Unavailable(charges);
        var local = await _local.TryReserveAsync(leaseId, charges, now, leaseExpiresAt, cancellationToken).ConfigureAwait(false);
        return local.LeaseId is { } id ? BudgetReservation.Reserved(LocalLeasePrefix + id, [.. local.Totals]) : local;
    }

    /// <inheritdoc />
    public async ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (leaseId.StartsWith(LocalLeasePrefix, StringComparison.Ordinal))
        {
            await _local.SettleAsync(leaseId[LocalLeasePrefix.Length..], charges, actual, now, cancellationToken).ConfigureAwait(false);

            // Spend made while the store was down also belongs to the shared total (recorded once, by this lease's id).
            if (actual.Any(a => a > 0)) Enqueue(new PendingSettle(leaseId, [.. charges], [.. actual], IsSpend: true));
            return;
        }

        if (ShouldTry())
        {
            Exception? failure = null;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    await _primary.SettleAsync(leaseId, charges, actual, now, CancellationToken.None).ConfigureAwait(false);
                    await SucceededAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (IsStoreFailure(e, CancellationToken.None))
                {
                    failure = e;
                }
            }

            Failed(failure!);
        }

        // Replayed when the store is back: applied once whether or not one of the attempts above reached it.
        Enqueue(new PendingSettle(leaseId, [.. charges], [.. actual], IsSpend: false));
        if (_policy != BudgetStoreFailurePolicy.FailClosed)
        {
            await _local.RecordSpendAsync(leaseId, charges, actual, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ShouldTry())
        {
            try
            {
                await _primary.RecordSpendAsync(spendId, charges, actual, now, CancellationToken.None).ConfigureAwait(false);
                await SucceededAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsStoreFailure(e, CancellationToken.None))
            {
                Failed(e);
            }
        }

        Enqueue(new PendingSettle(spendId, [.. charges], [.. actual], IsSpend: true));
        if (_policy != BudgetStoreFailurePolicy.FailClosed) await _local.RecordSpendAsync(spendId, charges, actual, now, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ShouldTry())
        {
            try
            {
                var totals = await _primary.GetTotalsAsync(keys, now, cancellationToken).ConfigureAwait(false);
                await SucceededAsync(cancellationToken).ConfigureAwait(false);
                return totals;
            }
            catch (Exception e) when (IsStoreFailure(e, cancellationToken))
            {
                Failed(e);
            }
        }

        return await _local.GetTotalsAsync(keys, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims in the primary store; while it cannot be reached, in this process only (an alert is raised rather than lost).</summary>
    public async ValueTask<bool> TryClaimOnceAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        if (ShouldTry())
        {
            try
            {
                var claimed = await _primary.TryClaimOnceAsync(key, now, expiresAt, cancellationToken).ConfigureAwait(false);
                await SucceededAsync(cancellationToken).ConfigureAwait(false);
                return claimed;
            }
            catch (Exception e) when (IsStoreFailure(e, cancellationToken))
            {
                Failed(e);
            }
        }

        return await _local.TryClaimOnceAsync(key, now, expiresAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds to the set in the primary store; while it cannot be reached, in this process only (a stop is kept rather than lost).</summary>
    public async ValueTask AddToSetAsync(string key, string member, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await _local.AddToSetAsync(key, member, now, expiresAt, cancellationToken).ConfigureAwait(false);
        if (!ShouldTry()) return;
        try
        {
            await _primary.AddToSetAsync(key, member, now, expiresAt, cancellationToken).ConfigureAwait(false);
            await SucceededAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken) && e is not NotSupportedException)
        {
            Failed(e);
        }
    }

    /// <summary>The set's members in the primary store and the ones added here while it could not be reached.</summary>
    public async ValueTask<IReadOnlyCollection<string>> GetSetAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var local = await _local.GetSetAsync(key, now, cancellationToken).ConfigureAwait(false);
        if (!ShouldTry()) return local;
        try
        {
            var shared = await _primary.GetSetAsync(key, now, cancellationToken).ConfigureAwait(false);
            await SucceededAsync(cancellationToken).ConfigureAwait(false);
            return local.Count == 0 ? shared : [.. shared.Union(local, StringComparer.Ordinal)];
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken) && e is not NotSupportedException)
        {
            Failed(e);
            return local;
        }
    }

    private static bool IsStoreFailure(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not ArgumentException;

    private BudgetStoreUnavailableException Unavailable(IReadOnlyList<BudgetCharge> charges) =>
        new(_primary.Name, charges.Count > 0 ? charges[0].Key : "?", _retryInterval);

    private void Enqueue(PendingSettle settle)
    {
        if (_pending.Count < MaxPendingSettles) _pending.Enqueue(settle);
        else BudgetLog.PendingSettleDropped(_logger, _primary.Name, MaxPendingSettles);
    }

    private bool ShouldTry()
    {
        lock (_gate)
        {
            if (!_down) return true;
            var now = _time.GetTimestamp();
            if (now < _retryAt) return false;
            _retryAt = now + (long)(_retryInterval.TotalSeconds * _time.TimestampFrequency);
            return true;
        }
    }

    private void Failed(Exception e)
    {
        bool first;
        lock (_gate)
        {
            first = !_down;
            _down = true;
            _retryAt = _time.GetTimestamp() + (long)(_retryInterval.TotalSeconds * _time.TimestampFrequency);
        }

        if (first) BudgetLog.StoreUnavailable(_logger, _primary.Name, _policy, _retryInterval, e);
    }

    private async ValueTask SucceededAsync(CancellationToken cancellationToken)
    {
        bool recovered;
        lock (_gate)
        {
            recovered = _down;
            _down = false;
        }

        if (recovered) BudgetLog.StoreRecovered(_logger, _primary.Name, _pending.Count);
        if (!_pending.IsEmpty && Interlocked.CompareExchange(ref _replaying, 1, 0) == 0)
        {
            try
            {
                while (_pending.TryPeek(out var p))
                {
                    var now = _time.GetUtcNow();
                    if (p.IsSpend) await _primary.RecordSpendAsync(p.LeaseId, p.Charges, p.Actual, now, CancellationToken.None).ConfigureAwait(false);
                    else await _primary.SettleAsync(p.LeaseId, p.Charges, p.Actual, now, CancellationToken.None).ConfigureAwait(false);
                    _pending.TryDequeue(out _);
                }
            }
            catch (Exception e) when (IsStoreFailure(e, cancellationToken))
            {
                Failed(e);
            }
            finally
            {
                Volatile.Write(ref _replaying, 0);
            }
        }
    }

    /// <summary>A settle (or, with <paramref name="IsSpend"/>, spend made on a local lease) to replay on the shared store.</summary>
    private sealed record PendingSettle(string LeaseId, BudgetCharge[] Charges, long[] Actual, bool IsSpend);
}
