using Microsoft.Extensions.AI;

namespace PromptOps.Pricing;

/// <summary>
/// Maps providers' usage blocks onto <see cref="UsageDetails"/> the way PromptOps prices them: <see cref="UsageDetails.InputTokenCount"/>
/// is <b>every</b> input token, <see cref="UsageDetails.CachedInputTokenCount"/> the part of it read from the provider's
/// prompt cache (priced at the cached rate, never counted twice). That is OpenAI's convention
/// (<c>prompt_tokens</c> includes <c>prompt_tokens_details.cached_tokens</c>), which Microsoft.Extensions.AI.OpenAI
/// already follows; other providers' counts must be added up first. Anthropic's official .NET SDK (NuGet <c>Anthropic</c>,
/// verified with 13.15.0 over the wire, non-streaming and streaming: tests/Runtime.Tests/Pricing/AnthropicWireTests) adds
/// them up itself in its <c>IChatClient</c> (<c>AsIChatClient</c>): <c>input_tokens</c> + <c>cache_read_input_tokens</c> +
/// <c>cache_creation_input_tokens</c> as the input, the cache reads as the cached input, the cache writes under
/// <c>CacheCreationInputTokens</c> — so its usage is read as it is, with no provider-specific step.
/// </summary>
public static class ProviderUsage
{
    /// <summary>The key of Anthropic's cache-write tokens in <see cref="UsageDetails.AdditionalCounts"/>.</summary>
    public const string CacheCreationInputTokensKey = "cache_creation_input_tokens";

    /// <summary>
    /// The keys of cache-write tokens PromptOps reads from <see cref="UsageDetails.AdditionalCounts"/> (Microsoft.Extensions.AI has
    /// no standard property for them): Anthropic's wire name <c>cache_creation_input_tokens</c> (what <see cref="FromAnthropic"/>
    /// writes) and the PascalCase <c>CacheCreationInputTokens</c> (what Anthropic's .NET SDK's <c>IChatClient</c> writes). The
    /// first present wins.
    /// </summary>
    public static readonly IReadOnlyList<string> CacheWriteKeys = [CacheCreationInputTokensKey, "CacheCreationInputTokens"];

    /// <summary>
    /// The keys of reasoning tokens read from <see cref="UsageDetails.AdditionalCounts"/> when
    /// <see cref="UsageDetails.ReasoningTokenCount"/> is not set (older Microsoft.Extensions.AI.OpenAI versions wrote
    /// <c>OutputTokenDetails.ReasoningTokenCount</c>; the wire name is <c>reasoning_tokens</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> ReasoningKeys = ["OutputTokenDetails.ReasoningTokenCount", "reasoning_tokens"];

    /// <summary>
    /// The key of the cache writes that went to Anthropic's 1-hour cache, in <see cref="UsageDetails.AdditionalCounts"/> (a part
    /// of the cache writes, Anthropic's wire name <c>cache_creation.ephemeral_1h_input_tokens</c>): priced at
    /// <see cref="CacheWritePrices.OneHourPerMillion"/>. PromptOps' provider cache placement sets it when it placed a 1-hour breakpoint.
    /// </summary>
    public const string CacheWriteOneHourInputTokensKey = "ephemeral_1h_input_tokens";

    /// <summary>Cache writes to the 1-hour cache (part of <see cref="CacheWriteInputTokens"/>), or null.</summary>
    public static long? CacheWriteOneHourInputTokens(UsageDetails? usage) =>
        usage?.AdditionalCounts is { } counts && counts.TryGetValue(CacheWriteOneHourInputTokensKey, out var v) ? v : null;

    /// <summary>Input tokens written to the provider's prompt cache (part of <see cref="UsageDetails.InputTokenCount"/>), or null.</summary>
    public static long? CacheWriteInputTokens(UsageDetails? usage) => Additional(usage, CacheWriteKeys);

    /// <summary>Reasoning tokens (part of <see cref="UsageDetails.OutputTokenCount"/>), or null when the provider did not report them.</summary>
    public static long? ReasoningTokens(UsageDetails? usage) => usage?.ReasoningTokenCount ?? Additional(usage, ReasoningKeys);

    private static long? Additional(UsageDetails? usage, IReadOnlyList<string> keys)
    {
        if (usage?.AdditionalCounts is not { Count: > 0 } counts) return null;
        foreach (var key in keys)
        {
            if (counts.TryGetValue(key, out var v)) return v;
        }

        return null;
    }

    /// <summary>
    /// Anthropic's usage: its <c>input_tokens</c> <b>excludes</b> <c>cache_read_input_tokens</c> and
    /// <c>cache_creation_input_tokens</c>, so the input is the sum of the three and the cached part is the cache reads.
    /// Cache writes are part of the input and kept in <see cref="UsageDetails.AdditionalCounts"/> under
    /// <see cref="CacheCreationInputTokensKey"/>; they are priced at the model's cache-write price (Anthropic: 25% above
    /// the input price for the 5-minute cache).
    /// </summary>
    public static UsageDetails FromAnthropic(long inputTokens, long cacheReadInputTokens, long cacheCreationInputTokens, long outputTokens)
    {
        if (inputTokens < 0 || cacheReadInputTokens < 0 || cacheCreationInputTokens < 0 || outputTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(inputTokens), "Token counts cannot be negative.");
        var input = inputTokens + cacheReadInputTokens + cacheCreationInputTokens;
        var usage = new UsageDetails
        {
            InputTokenCount = input,
            CachedInputTokenCount = cacheReadInputTokens,
            OutputTokenCount = outputTokens,
            TotalTokenCount = input + outputTokens,
        };
        if (cacheCreationInputTokens > 0) usage.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [CacheCreationInputTokensKey] = cacheCreationInputTokens };
        return usage;
    }

    /// <summary>OpenAI's usage: <c>prompt_tokens</c> already includes <c>cached_tokens</c>.</summary>
    public static UsageDetails FromOpenAI(long promptTokens, long cachedTokens, long completionTokens)
    {
        if (promptTokens < 0 || cachedTokens < 0 || completionTokens < 0 || cachedTokens > promptTokens)
            throw new ArgumentOutOfRangeException(nameof(cachedTokens), "Token counts cannot be negative, and cached tokens are part of the prompt tokens.");
        return new UsageDetails
        {
            InputTokenCount = promptTokens,
            CachedInputTokenCount = cachedTokens,
            OutputTokenCount = completionTokens,
            TotalTokenCount = promptTokens + completionTokens,
        };
    }
}
