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

    /// <summary>
    /// Give requests that ask about the present — "today", "right now", "the latest version", 今日, 現在, 最新, "yesterday",
    /// 先週 … in a user message (see <see cref="TimeSensitivity"/>) — <see cref="TimeSensitiveTtl"/> when it is shorter than
    /// their own TTL, whatever the prompt's default. Default: on.
    /// </summary>
    public bool DetectTimeSensitive { get; set; } = true;

    /// <summary>
    /// The TTL of time-sensitive requests (a name or a span, as <see cref="DefaultTtl"/>); <c>none</c> does not cache
    /// them at all. A request whose own TTL is shorter keeps it. Default: <c>realtime</c> (5 minutes).
    /// </summary>
    public string TimeSensitiveTtl { get; set; } = "realtime";

    /// <summary>
    /// Use the built-in English and Japanese markers of the present. Turn off to use only
    /// <see cref="TimeSensitiveMarkers"/>. Default: on.
    /// </summary>
    public bool UseBuiltInTimeSensitiveMarkers { get; set; } = true;

    /// <summary>
    /// More markers of the present: words or phrases (matched as whole words, without case, e.g. <c>"this sprint"</c>)
    /// or text in other scripts (matched as substrings, e.g. <c>"今季"</c>). Default: none.
    /// </summary>
    public IList<string> TimeSensitiveMarkers { get; set; } = new List<string>();

    /// <summary>The tasks <see cref="TimeSensitiveIgnoredTasks"/> stands for when it is null.</summary>
    public static readonly IReadOnlyList<string> DefaultTimeSensitiveIgnoredTasks =
        ["classification", "sentiment", "yes_no", "summary", "long_summary", "translation", "contract_analysis"];

    /// <summary>
    /// Tasks whose user content is data to transform, not a question: a ticket to classify that says "today" asks
    /// nothing about today, so requests naming one of these tasks (<see cref="PromptOpsMetadata.Task"/>, aliases
    /// accepted) are not checked; their templates are checked at build time (PO0009). Null (the default):
    /// <see cref="DefaultTimeSensitiveIgnoredTasks"/> (classification, sentiment, yes_no, summary, long_summary,
    /// translation, contract_analysis); an empty list checks every task. A list from configuration replaces the default.
    /// </summary>
    public IList<string>? TimeSensitiveIgnoredTasks { get; set; }

    /// <summary>
    /// The TTL optimiser (section <c>PromptOps:Cache:AdaptiveTtl</c>): entries that are hit are kept longer, up to a cap;
    /// entries never hit expire at their TTL. Off by default.
    /// </summary>
    public AdaptiveTtlOptions AdaptiveTtl { get; set; } = new();

    /// <summary>The clock (tests inject a fake one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The parsed <see cref="DefaultTtl"/>; throws a <see cref="FormatException"/> naming a bad value.</summary>
    public CacheTtl GetDefaultTtl() => CacheTtl.Parse(DefaultTtl);

    /// <summary>The parsed <see cref="TimeSensitiveTtl"/>; throws a <see cref="FormatException"/> naming a bad value.</summary>
    public CacheTtl GetTimeSensitiveTtl() => CacheTtl.Parse(TimeSensitiveTtl);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!CacheTtl.TryParse(DefaultTtl, out _, out var error)) yield return "PromptOps:Cache:DefaultTtl: " + error;
        if (MemoryMaxEntries <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Cache:MemoryMaxEntries must be positive, but is {MemoryMaxEntries}.");
        if (DistributedRetryInterval < TimeSpan.Zero) yield return $"PromptOps:Cache:DistributedRetryInterval must not be negative, but is {DistributedRetryInterval}.";
        if (!CacheTtl.TryParse(TimeSensitiveTtl, out _, out var shortError)) yield return "PromptOps:Cache:TimeSensitiveTtl: " + shortError;
        if (TimeSensitiveMarkers is null) yield return "PromptOps:Cache:TimeSensitiveMarkers is null; use an empty list for no extra markers.";
        foreach (var task in TimeSensitiveIgnoredTasks ?? [])
        {
            if (!PromptTasks.TryGet(task, out _)) yield return $"PromptOps:Cache:TimeSensitiveIgnoredTasks: '{task}' is not a task. Use one of {PromptTasks.ValidNames}.";
        }
        if (AdaptiveTtl is null)
        {
            yield return "PromptOps:Cache:AdaptiveTtl is null.";
        }
        else
        {
            foreach (var adaptiveError in AdaptiveTtl.GetErrors()) yield return adaptiveError;
        }

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
    internal PromptCacheOptions Clone()
    {
        var copy = (PromptCacheOptions)MemberwiseClone();
        copy.Semantic = Semantic?.Clone()!;
        copy.AdaptiveTtl = AdaptiveTtl?.Clone()!;
        copy.TimeSensitiveMarkers = TimeSensitiveMarkers is null ? null! : new List<string>(TimeSensitiveMarkers);
        copy.TimeSensitiveIgnoredTasks = TimeSensitiveIgnoredTasks is null ? null : new List<string>(TimeSensitiveIgnoredTasks);
        return copy;
    }
}
