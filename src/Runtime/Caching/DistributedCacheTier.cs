using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Caching;

/// <summary>
/// L2 of <see cref="PromptCacheChatClient"/>: answers in a shared <see cref="IResponseCacheStore"/> (Redis), read
/// through into L1 (<see cref="MemoryCacheTier"/>). A store failure never fails a call: <see cref="DistributedGuard"/>
/// logs one warning per outage and keeps the store out of the request path for the retry interval. An unreadable or
/// cut-off value is a miss. Thread-safe.
/// </summary>
internal sealed class DistributedCacheTier
{
    private readonly IResponseCacheStore _store;
    private readonly DistributedGuard _guard;
    private readonly MemoryCacheTier _memory;
    private readonly CacheEntryPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PromptOpsMetrics _metrics;

    /// <summary>Creates the tier over <paramref name="store"/>.</summary>
    /// <param name="store">The shared store.</param>
    /// <param name="retryInterval">How long L2 is skipped after a failure (<see cref="PromptCacheOptions.DistributedRetryInterval"/>).</param>
    /// <param name="memory">L1, which L2 hits are copied into.</param>
    /// <param name="policy">The TTL optimiser's extension and cap.</param>
    /// <param name="time">The clock of expiries.</param>
    /// <param name="logger">Logger for outages and unreadable or unstorable entries.</param>
    /// <param name="metrics">Instruments; lookups and extensions are counted here.</param>
    public DistributedCacheTier(IResponseCacheStore store, TimeSpan retryInterval, MemoryCacheTier memory, CacheEntryPolicy policy, TimeProvider time,
        ILogger logger, PromptOpsMetrics metrics)
    {
        _store = store;
        _guard = new DistributedGuard(store.Name, retryInterval, time, logger);
        _memory = memory;
        _policy = policy;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The outage guard of the store, shared with the semantic layer's index in the same store.</summary>
    public DistributedGuard Guard => _guard;

    /// <summary>True while the store is considered down.</summary>
    public bool IsDown => _guard.IsDown;

    /// <summary>
    /// Reads <paramref name="key"/> from L2 and copies a readable entry into L1 for what is left of its life, but never
    /// longer than the request's TTL or <see cref="CacheTtl.MaxDuration"/>: an L2 entry written with a far expiry
    /// (another instance's longer TTL, a clock error, a hand-made value) cannot outlive the configured TTL in memory.
    /// With the TTL optimiser, a hit extends the L2 entry (atomically, in the store) and the L1 copy starts a life of its
    /// own, capped where the L2 entry's life is capped.
    /// </summary>
    public async Task<ChatResponse?> TryReadAsync(string key, CacheTtlChoice ttl, CancellationToken cancellationToken, bool recordLookup = true)
    {
        if (!_guard.ShouldTry()) return null;
        byte[]? bytes;
        try
        {
            bytes = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            _guard.Succeeded();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _guard.Failed(e);
            return null;
        }

        var now = _time.GetUtcNow();
        if (bytes is null)
        {
            if (recordLookup) _metrics.CacheLookup(CacheLayer.Distributed, hit: false);
            return null;
        }

        if (!CacheEntrySerializer.TryDeserialize(bytes, key, now, out var response, out var expiresAt))
        {
            PromptCacheLog.UnreadableEntry(_logger, key);
            if (recordLookup) _metrics.CacheLookup(CacheLayer.Distributed, hit: false);
            return null;
        }

        if (response!.FinishReason == ChatFinishReason.Length)
        {
            // Stored before cut-off answers were kept out (or by a hand-made value): a miss, overwritten by the next answer.
            if (recordLookup) _metrics.CacheLookup(CacheLayer.Distributed, hit: false);
            return null;
        }

        if (recordLookup) _metrics.CacheLookup(CacheLayer.Distributed, hit: true);
        var snapshot = ResponseCopier.Copy(response!, marker: null);
        // For an extendable entry the expiry written in the value is its cap (see StoreAsync); else its expiry.
        var remaining = Min(expiresAt - now, CacheTtl.MaxDuration);
        if (!ttl.Extendable)
        {
            var life = Min(remaining, ttl.Ttl);
            _memory.Set(key, snapshot, life, extendBy: TimeSpan.Zero, cap: life);
            return snapshot;
        }

        var cap = Min(remaining, _policy.Cap(ttl.Ttl));
        var lifeLeft = Min(ttl.Ttl, cap);
        var extended = await TryExtendAsync(key, ttl.Ttl, cap, cancellationToken).ConfigureAwait(false);
        if (extended is { } left) lifeLeft = Min(left, cap);
        _memory.Set(key, snapshot, lifeLeft, _policy.Extension(ttl.Ttl), cap);
        return snapshot;
    }

    /// <summary>
    /// The TTL optimiser in L2: moves the entry's expiry later by the extension (at most to <paramref name="cap"/> from
    /// now) in the store, atomically. Returns the entry's remaining life, or null when the store cannot say.
    /// </summary>
    private async ValueTask<TimeSpan?> TryExtendAsync(string key, TimeSpan baseTtl, TimeSpan cap, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _store.ExtendAsync(key, _policy.Extension(baseTtl), cap, cancellationToken).ConfigureAwait(false);
            _guard.Succeeded();
            if (result is { Extended: true }) _metrics.CacheTtlExtended(CacheLayer.Distributed);
            return result?.Remaining;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _guard.Failed(e);
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="snapshot"/> under <paramref name="key"/> for the TTL (the caller has put it in L1); a
    /// failure is logged or opens the guard, never thrown.
    /// </summary>
    public async Task StoreAsync(string key, CacheTtlChoice ttl, ChatResponse snapshot, CancellationToken cancellationToken)
    {
        if (!_guard.ShouldTry()) return;
        byte[] bytes;
        try
        {
            // The store expires the key at the TTL (extended on hits); an extendable entry's value carries its cap, the
            // latest it may ever be served.
            bytes = CacheEntrySerializer.Serialize(key, snapshot, _time.GetUtcNow() + (ttl.Extendable ? _policy.Cap(ttl.Ttl) : ttl.Ttl));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or System.Text.Json.JsonException)
        {
            PromptCacheLog.StoreFailed(_logger, key, e);
            return;
        }

        try
        {
            await _store.SetAsync(key, bytes, ttl.Ttl, cancellationToken).ConfigureAwait(false);
            _guard.Succeeded();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The answer is in L1 already; the caller is gone.
        }
        catch (Exception e)
        {
            _guard.Failed(e);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
