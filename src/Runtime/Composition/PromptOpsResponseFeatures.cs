using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Routing;

namespace PromptOps;

/// <summary>
/// What the PromptOps layers learned about one response, in one typed object: the contract between the layers (an inner
/// layer writes, an outer one reads) instead of loose <c>AdditionalProperties</c> keys. It travels on
/// <see cref="ChatResponse.AdditionalProperties"/> (and a streamed update's) under <see cref="AdditionalPropertiesKey"/>, and
/// with an exception a layer saw on its way out. Read it with <c>response.GetPromptOpsFeatures()</c> or the typed helpers
/// (<c>GetCacheLayer()</c>, <c>GetCascadeAttempts()</c>, <c>GetProvider()</c>, <c>GetCacheTtlDecision()</c>).
/// </summary>
public sealed class PromptOpsResponseFeatures
{
    /// <summary>The <c>AdditionalProperties</c> key the features travel under.</summary>
    public const string AdditionalPropertiesKey = "promptops.features";

    // The attempts of a cascade or an escalation whose later call threw; read by the usage meter (no Exception.Data).
    private static readonly ConditionalWeakTable<Exception, PromptOpsResponseFeatures> OnExceptions = [];

    /// <summary>What the provider calls behind this response cost in USD (0 for a cache hit); null when unpriced or not metered.</summary>
    public decimal? CostUsd { get; internal set; }

    /// <summary>The cache layer that served the response; <see cref="CacheLayer.None"/> when a provider answered.</summary>
    public CacheLayer CacheLayer { get; internal set; }

    /// <summary>The TTL the response was stored with by this call (null for a hit or an answer that was not stored).</summary>
    public TimeSpan? CacheTtl { get; internal set; }

    /// <summary>Why <see cref="CacheTtl"/> was chosen (see <see cref="CacheTtlReasons"/>).</summary>
    public string? CacheTtlReason { get; internal set; }

    /// <summary>Every level a cascade or an escalation tried, in order (the last one answered); null when none ran.</summary>
    public IReadOnlyList<CascadeAttempt>? Attempts { get; internal set; }

    /// <summary>The name of the fallback chain's provider that answered; null when no chain was involved.</summary>
    public string? Provider { get; internal set; }

    /// <summary>The tier a budget downgrade replaced (the tier asked for); null when the request was not downgraded.</summary>
    public string? DowngradedFrom { get; internal set; }

    /// <summary>The output-token limit of a reply cut off and asked again (the answer is the retry's); null when not retried.</summary>
    public int? TruncationRetriedFrom { get; internal set; }

    /// <summary>
    /// True when the provider's batch API answered this deferrable call (the batching layer sent it; see
    /// <see cref="PromptOpsMetadata.Deferrable"/>): the usage meter prices it at the batch rate.
    /// </summary>
    public bool ProviderBatched { get; internal set; }

    /// <summary>A copy (the attempts list is shared; it is never changed after it is set).</summary>
    public PromptOpsResponseFeatures Clone() => (PromptOpsResponseFeatures)MemberwiseClone();

    /// <summary>The features in <paramref name="properties"/>, or null. A value read back from JSON (a cached entry) is turned back into features.</summary>
    public static PromptOpsResponseFeatures? Get(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(AdditionalPropertiesKey, out var value)) return null;
        if (value is PromptOpsResponseFeatures features) return features;
        if (value is JsonElement { ValueKind: JsonValueKind.Object } json)
        {
            features = FromJson(json);
            properties[AdditionalPropertiesKey] = features;
            return features;
        }

        return null;
    }

    /// <summary>The features of <paramref name="response"/>, added when it has none.</summary>
    internal static PromptOpsResponseFeatures Of(ChatResponse response) => GetOrAdd(response.AdditionalProperties ??= []);

    /// <summary>The features of <paramref name="update"/>, added when it has none.</summary>
    internal static PromptOpsResponseFeatures Of(ChatResponseUpdate update) => GetOrAdd(update.AdditionalProperties ??= []);

    /// <summary>The features carried with <paramref name="exception"/> (the attempts paid for before it was thrown), or null.</summary>
    internal static PromptOpsResponseFeatures? Get(Exception exception) => OnExceptions.TryGetValue(exception, out var f) ? f : null;

    /// <summary>Carries <paramref name="attempts"/> with <paramref name="exception"/> for the layers outside (the meter prices them).</summary>
    internal static void SetAttempts(Exception exception, IReadOnlyList<CascadeAttempt> attempts) =>
        OnExceptions.AddOrUpdate(exception, new PromptOpsResponseFeatures { Attempts = attempts });

    /// <summary>
    /// The part of the features a cached answer keeps (written into a cache entry as JSON): the provider that answered and a
    /// truncation retry. The rest belongs to the call that made it (cost, layer, TTL, attempts, downgrade).
    /// </summary>
    internal JsonElement ToStoredJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (Provider is not null) w.WriteString("provider", Provider);
            if (TruncationRetriedFrom is { } limit) w.WriteNumber("truncationRetriedFrom", limit);
            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    private static PromptOpsResponseFeatures FromJson(JsonElement json) => new()
    {
        Provider = json.TryGetProperty("provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null,
        TruncationRetriedFrom = json.TryGetProperty("truncationRetriedFrom", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out var limit) ? limit : null,
    };

    private static PromptOpsResponseFeatures GetOrAdd(AdditionalPropertiesDictionary properties)
    {
        if (Get(properties) is { } features) return features;
        features = new PromptOpsResponseFeatures();
        properties[AdditionalPropertiesKey] = features;
        return features;
    }
}
