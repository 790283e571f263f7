using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Memory;
using PromptOps.Usage;

namespace PromptOps.Caching;

/// <summary>
/// L1 of <see cref="PromptCacheChatClient"/>: answers in a size-limited <see cref="MemoryCache"/> on the cache's clock,
/// each with its own expiry, which hits on an extendable entry move later (the TTL optimiser, see
/// <see cref="MemoryCacheEntry"/>). Thread-safe.
/// </summary>
internal sealed class MemoryCacheTier : IDisposable
{
    private readonly MemoryCache _memory;
    private readonly TimeProvider _time;
    private readonly PromptOpsMetrics _metrics;

    /// <summary>Creates an empty L1.</summary>
    /// <param name="maxEntries">The most entries it holds (<see cref="PromptCacheOptions.MemoryMaxEntries"/>).</param>
    /// <param name="time">The clock that expires entries.</param>
    /// <param name="metrics">Instruments; extensions are counted here (lookups by the caller).</param>
    public MemoryCacheTier(int maxEntries, TimeProvider time, PromptOpsMetrics metrics)
    {
        _time = time;
        _metrics = metrics;
#pragma warning disable CS0618 // ISystemClock is the only clock MemoryCache accepts.
        _memory = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = maxEntries,
            Clock = new TimeProviderClock(_time),
            ExpirationScanFrequency = TimeSpan.FromMinutes(1),
        });
#pragma warning restore CS0618
    }

    /// <summary>The number of entries in L1.</summary>
    public long Count => _memory.Count;

    /// <summary>
    /// Puts <paramref name="snapshot"/> in L1 for <paramref name="life"/>; each hit moves its expiry later by
    /// <paramref name="extendBy"/> (zero: never), up to <paramref name="cap"/> from now.
    /// </summary>
    public void Set(string key, ChatResponse snapshot, TimeSpan life, TimeSpan extendBy, TimeSpan cap)
    {
        if (life <= TimeSpan.Zero) return;
        var now = _time.GetUtcNow();
        cap = Max(life, cap);
        var value = new MemoryCacheEntry(snapshot, _time, now + life, now + cap, extendBy);
        using var entry = _memory.CreateEntry(key);
        entry.Value = value;
        entry.Size = 1;
        entry.AbsoluteExpirationRelativeToNow = cap;
        if (extendBy > TimeSpan.Zero && cap > life) entry.ExpirationTokens.Add(value); // expires at its current (extended) expiry
    }

    /// <summary>Reads L1; a hit on an extendable entry moves its expiry later (the TTL optimiser).</summary>
    public bool TryGet(string key, out ChatResponse response)
    {
        if (_memory.TryGetValue(key, out var hit) && hit is MemoryCacheEntry entry && !entry.HasChanged)
        {
            if (entry.Extend()) _metrics.CacheTtlExtended(CacheLayer.Memory);
            response = entry.Response;
            return true;
        }

        response = null!;
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _memory.Dispose();

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
