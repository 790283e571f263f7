using Microsoft.Extensions.AI;
using PromptOps.Caching;

namespace PromptOps;

/// <summary>
/// A typed answer with what it cost: returned by <c>[Prompt]</c> methods declared as
/// <c>Task&lt;PromptResult&lt;T&gt;&gt;</c>.
/// </summary>
/// <typeparam name="T">The parsed value type.</typeparam>
public sealed record PromptResult<T>
{
    /// <summary>The parsed answer.</summary>
    public required T Value { get; init; }

    /// <summary>The raw reply text the value was parsed from.</summary>
    public required string RawText { get; init; }

    /// <summary>The model that answered (the original call's model for a cache hit).</summary>
    public string? ModelId { get; init; }

    /// <summary>Token usage of the call (the original call's usage for a cache hit).</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>
    /// USD spent on this call: 0 for a cache hit, null when the model has no price. Set when the usage meter
    /// (<c>UsePromptOps</c>/<c>UseUsageMeter</c>) is in the pipeline, else priced with the default catalogue.
    /// </summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Where the answer came from; anything but <see cref="CacheLayer.None"/> is a cache hit.</summary>
    public CacheLayer CacheLayer { get; init; }

    /// <summary>True when a cache answered.</summary>
    public bool IsCacheHit => CacheLayer != CacheLayer.None;

    /// <summary>
    /// True when the reply was cut off at the output-token limit (<c>FinishReason</c> <c>Length</c>): <see cref="Value"/>
    /// and <see cref="RawText"/> are partial. Such a reply is never cached; see <c>[Prompt(OnTruncation = …)]</c>.
    /// </summary>
    public bool Truncated { get; init; }

    /// <summary>The full response.</summary>
    public required ChatResponse Response { get; init; }
}
