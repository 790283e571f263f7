namespace PromptOps.Caching.Provider;

/// <summary>
/// Options of the provider prompt cache placement: where PromptOps marks a request's static prefix for the provider's own
/// prompt cache, and how (see <see cref="ProviderPromptCacheHandler"/>). <c>services.AddPromptOps(configuration)</c> binds
/// them from <c>PromptOps:ProviderCache</c> (<c>"AnthropicTtl": "OneHour"</c>, …); they can also be registered as
/// <c>IOptions&lt;ProviderPromptCacheOptions&gt;</c> (<c>services.Configure&lt;ProviderPromptCacheOptions&gt;(…)</c>) or
/// passed to <c>UseProviderPromptCache(…)</c> before <c>UsePromptOps()</c>.
/// </summary>
public sealed class ProviderPromptCacheOptions
{
    /// <summary>False leaves every request as it is. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The TTL of Anthropic breakpoints PromptOps places; default <see cref="ProviderCacheTtl.FiveMinutes"/>.</summary>
    public ProviderCacheTtl AnthropicTtl { get; set; } = ProviderCacheTtl.FiveMinutes;

    /// <summary>
    /// True (the default) adds OpenAI's <c>prompt_cache_key</c> (derived from the prompt id and version) to chat completion
    /// and response requests of <c>[Prompt]</c> calls, so requests of one prompt are routed to the same cache.
    /// </summary>
    public bool OpenAiPromptCacheKey { get; set; } = true;

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AnthropicTtl"/> is not a defined value.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(AnthropicTtl))
            throw new ArgumentOutOfRangeException(nameof(AnthropicTtl), AnthropicTtl, "PromptOps:ProviderCache:AnthropicTtl must be FiveMinutes or OneHour.");
    }
}
