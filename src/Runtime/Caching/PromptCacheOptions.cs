using System.Globalization;
using PromptOps.Caching.Semantic;
using PromptOps.Knowledge;

namespace PromptOps.Caching;

/// <summary>Options of <see cref="PromptCacheChatClient"/> (configuration section <c>PromptOps:Cache</c>).</summary>
public sealed class PromptCacheOptions
{
    /// <summary>Turns the cache on or off. Default: on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// TTL for requests whose metadata sets none: a name (<c>static</c>, <c>semi-static</c>, <c>daily</c>,
    /// <c>realtime</c>, <c>none</c>) or a span (<c>"01:00:00"</c>, <c>"10m"</c>). Default: one hour. Every entry has a TTL.
    /// </summary>
    public string DefaultTtl { get; set; } = "01:00:00";

    /// <summary>The most entries L1 (memory) holds; the least recently used are evicted beyond it. Default: 10,000.</summary>
    public int MemoryMaxEntries { get; set; } = 10_000;

    /// <summary>Use the L2 store when one is registered. Default: on.</summary>
    public bool UseDistributed { get; set; } = true;

    /// <summary>After an L2 failure, how long L2 is skipped before it is tried again. Default: 5 seconds.</summary>
    public TimeSpan DistributedRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Cache streamed responses: a complete stream is stored and later replayed as chunks; a stream that fails or
    /// is abandoned stores nothing. Concurrent identical streaming misses are not coalesced (each streams from the
    /// provider). Default: on.
    /// </summary>
    public bool CacheStreaming { get; set; } = true;

    /// <summary>
    /// The semantic layer (section <c>PromptOps:Cache:Semantic</c>): after the exact layers, a similar earlier request's
    /// answer. Off by default; needs an embedding generator.
    /// </summary>
    public SemanticCacheOptions Semantic { get; set; } = new();

    /// <summary>The clock (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The parsed <see cref="DefaultTtl"/>; throws a <see cref="FormatException"/> naming a bad value.</summary>
    public CacheTtl GetDefaultTtl() => CacheTtl.Parse(DefaultTtl);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!CacheTtl.TryParse(DefaultTtl, out _, out var error)) yield return "PromptOps:Cache:DefaultTtl: " + error;
        if (MemoryMaxEntries <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Cache:MemoryMaxEntries must be positive, but is {MemoryMaxEntries}.");
        if (DistributedRetryInterval < TimeSpan.Zero) yield return $"PromptOps:Cache:DistributedRetryInterval must not be negative, but is {DistributedRetryInterval}.";
        if (TimeProvider is null) yield return "PromptOps:Cache:TimeProvider is null.";
        if (Semantic is null)
        {
            yield return "PromptOps:Cache:Semantic is null.";
        }
        else
        {
            foreach (var semanticError in Semantic.GetErrors()) yield return semanticError;
        }
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    public PromptCacheOptions Clone()
    {
        var copy = (PromptCacheOptions)MemberwiseClone();
        copy.Semantic = Semantic?.Clone()!;
        return copy;
    }
}
