using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Caching;

/// <summary>
/// What <see cref="PromptCacheChatClient"/> stores and for how long: the cache key of a request, its TTL and why
/// (including the short TTL of a request that asks about the present), the TTL optimiser's extension and cap, and
/// whether an answer may be stored at all. Thread-safe: it holds no per-request state.
/// </summary>
internal sealed class CacheEntryPolicy
{
    private readonly PromptCacheOptions _options;
    private readonly PromptOpsMetrics _metrics;
    private readonly CacheTtl _defaultTtl;
    private readonly TimeSensitivity? _timeSensitivity;
    private readonly CacheTtl _timeSensitiveTtl;
    private readonly AdaptiveTtlOptions? _adaptive;
    private readonly HashSet<string> _timeSensitiveIgnoredTasks;
    private readonly ConcurrentDictionary<string, string> _timeSensitiveReasons = new(StringComparer.Ordinal);

    /// <summary>Creates the policy of <paramref name="options"/> (validated by the caller).</summary>
    /// <param name="options">The cache's own copy of its options.</param>
    /// <param name="metrics">Instruments; bypasses are counted here.</param>
    public CacheEntryPolicy(PromptCacheOptions options, PromptOpsMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _defaultTtl = _options.GetDefaultTtl();
        _timeSensitiveTtl = _options.GetTimeSensitiveTtl();
        if (_options.DetectTimeSensitive && (_options.UseBuiltInTimeSensitiveMarkers || _options.TimeSensitiveMarkers.Count > 0))
        {
            _timeSensitivity = _options.UseBuiltInTimeSensitiveMarkers && _options.TimeSensitiveMarkers.Count == 0
                ? TimeSensitivity.Default
                : new TimeSensitivity(_options.UseBuiltInTimeSensitiveMarkers, _options.TimeSensitiveMarkers);
        }

        _adaptive = _options.AdaptiveTtl.Enabled ? _options.AdaptiveTtl : null;
        _timeSensitiveIgnoredTasks = new HashSet<string>(
            ((IEnumerable<string>?)_options.TimeSensitiveIgnoredTasks ?? PromptCacheOptions.DefaultTimeSensitiveIgnoredTasks).Select(t => PromptTasks.Get(t).Name), StringComparer.Ordinal);
    }

    /// <summary>
    /// The key and TTL of a cacheable request; false (counted as a bypass unless the cache is off) when the request
    /// bypasses the cache. A one-shot <paramref name="messages"/> is materialised so that it can still be sent.
    /// </summary>
    public bool TryGetKey(ref IEnumerable<ChatMessage> messages, ChatOptions? options, out string key, out CacheTtlChoice ttl)
    {
        key = string.Empty;
        ttl = default;
        if (!_options.Enabled)
        {
            return false;
        }

        var own = options.GetPromptOps()?.CacheTtl;
        var effective = own ?? _defaultTtl;
        if (effective.IsNone || !PromptCacheKey.IsCacheable(options))
        {
            _metrics.CacheBypass();
            return false;
        }

        // The key walks the messages; make sure a one-shot enumerable can still be sent afterwards.
        if (messages is not ICollection<ChatMessage>) messages = messages.ToList();
        var computed = PromptCacheKey.Compute(messages, options);
        if (computed is null)
        {
            _metrics.CacheBypass();
            return false;
        }

        // A question about the present gets the short TTL (or none) when that is shorter than its own.
        var reason = own is null ? CacheTtlReasons.Options : CacheTtlReasons.Prompt;
        var meta = options.GetPromptOps();
        if (_timeSensitivity is not null && _timeSensitiveTtl.Duration < effective.Duration
            && !(PromptTasks.TryGet(meta?.Task, out var task) && _timeSensitiveIgnoredTasks.Contains(task.Name))
            && FindTimeSensitiveMarker(messages, generated: meta?.PromptId is not null) is { } marker)
        {
            if (_timeSensitiveTtl.IsNone)
            {
                _metrics.CacheBypass();
                return false;
            }

            key = computed;
            ttl = new CacheTtlChoice(_timeSensitiveTtl.Duration, TimeSensitiveReason(marker), Extendable: false, TimeSensitive: true);
            return true;
        }

        key = computed;
        ttl = new CacheTtlChoice(effective.Duration, reason, Extendable: _adaptive is not null);
        return true;
    }

    /// <summary>The TTL optimiser's cap for an entry of <paramref name="ttl"/>: MaxFactor × TTL, at most <see cref="CacheTtl.MaxDuration"/>.</summary>
    public TimeSpan Cap(TimeSpan ttl) =>
        _adaptive is null ? ttl : Max(ttl, Min(CacheTtl.MaxDuration, TimeSpan.FromTicks((long)Math.Min(ttl.Ticks * _adaptive.MaxFactor, CacheTtl.MaxDuration.Ticks))));

    /// <summary>How much later a hit moves the expiry of an entry of <paramref name="ttl"/>.</summary>
    public TimeSpan Extension(TimeSpan ttl) =>
        _adaptive is null ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Min(ttl.Ticks * _adaptive.ExtensionFactor, CacheTtl.MaxDuration.Ticks));

    // A response with impossible usage (negative token counts) is returned (the meter clamps it) but never stored:
    // a cached copy would replay the fault on every hit. Neither is a reply cut off at the output-token limit: the next
    // identical call must get a chance at a whole answer (TruncationChatClient's retry, when it applies, is what gets stored).
    // Nor is a reply that fails the request's own validator (PromptOpsMetadata.ReplyValidator: a generated enum, bool, number
    // or JSON method): the caller cannot read it, the escalation layer asks a higher tier, and a cached copy would hand the
    // same unreadable reply to the next identical call for the whole TTL. ContinuationToken is marked experimental (MEAI001)
    // in the lowest Microsoft.Extensions.AI this package supports (10.5.0).
#pragma warning disable MEAI001
    /// <summary>Whether <paramref name="response"/> to a request with <paramref name="options"/> may be stored, in any layer.</summary>
    public static bool IsStorable(ChatResponse response, ChatOptions? options) =>
        response.ConversationId is null && response.ContinuationToken is null
        && response.FinishReason != ChatFinishReason.ContentFilter && response.FinishReason != ChatFinishReason.Length
        && CacheEntrySerializer.IsWellFormed(response)
        && (options.GetPromptOps()?.ReplyValidator is not { } validate || validate(response) is null);
#pragma warning restore MEAI001

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary><c>time_sensitive:&lt;marker&gt;</c>, made once per marker (markers are a small fixed set), not per request.</summary>
    private string TimeSensitiveReason(string marker)
    {
        if (_timeSensitiveReasons.TryGetValue(marker, out var reason)) return reason;
        reason = CacheTtlReasons.TimeSensitive + ":" + marker;
        if (_timeSensitiveReasons.Count < 1024) _timeSensitiveReasons.TryAdd(marker, reason);
        return reason;
    }

    /// <summary>
    /// The first marker of the present in the text of the user messages, or null. For a prompt's call (metadata with a
    /// prompt id, as generated clients send) the system messages too: they are the prompt's fixed text, which PO0009
    /// checks at build time. A raw call's system prompt is left alone: boilerplate there ("You are the current …") would
    /// shorten every answer's TTL.
    /// </summary>
    private string? FindTimeSensitiveMarker(IEnumerable<ChatMessage> messages, bool generated)
    {
        // Index loops: this runs on every cacheable request, hits included, and an interface foreach boxes its enumerator.
        if (messages is IList<ChatMessage> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (FindTimeSensitiveMarker(list[i], generated) is { } marker) return marker;
            }

            return null;
        }

        foreach (var m in messages)
        {
            if (FindTimeSensitiveMarker(m, generated) is { } marker) return marker;
        }

        return null;
    }

    private string? FindTimeSensitiveMarker(ChatMessage m, bool generated)
    {
        if (m.Role != ChatRole.User && !(generated && m.Role == ChatRole.System)) return null;
        var contents = m.Contents;
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is TextContent { Text: { Length: > 0 } text } && _timeSensitivity!.Find(text) is { } marker) return marker;
        }

        return null;
    }
}
