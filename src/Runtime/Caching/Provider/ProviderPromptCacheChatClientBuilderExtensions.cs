using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Caching.Provider;

namespace PromptOps;

/// <summary><c>UseProviderPromptCache</c>: the provider prompt cache placement (<see cref="ProviderPromptCacheChatClient"/>).</summary>
public static class ProviderPromptCacheChatClientBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ProviderPromptCacheChatClient"/> (<c>UsePromptOps()</c> adds it just outside the fallback, so every provider tried is placed). It works with
    /// <see cref="ProviderPromptCacheHandler"/> on the provider SDK's <see cref="HttpClient"/>. Options start from a registered
    /// <c>IOptions&lt;ProviderPromptCacheOptions&gt;</c>, if any; <paramref name="configure"/> adjusts them. Invalid options
    /// throw when the client is built. Called before <c>UsePromptOps()</c>, its options are the ones the request is sent with
    /// (an outer layer's options win over an inner one's).
    /// </summary>
    public static ChatClientBuilder UseProviderPromptCache(this ChatClientBuilder builder, Action<ProviderPromptCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => CreateProviderPromptCache(inner, services, configure));
    }

    /// <summary>The layer over <paramref name="inner"/> with the registered options adjusted by <paramref name="configure"/>.</summary>
    internal static IChatClient CreateProviderPromptCache(IChatClient inner, IServiceProvider services, Action<ProviderPromptCacheOptions>? configure = null)
    {
        var registered = services.GetService<IOptions<ProviderPromptCacheOptions>>()?.Value;
        var options = new ProviderPromptCacheOptions
        {
            Enabled = registered?.Enabled ?? true,
            AnthropicTtl = registered?.AnthropicTtl ?? ProviderCacheTtl.FiveMinutes,
            OpenAiPromptCacheKey = registered?.OpenAiPromptCacheKey ?? true,
        };
        configure?.Invoke(options);
        return new ProviderPromptCacheChatClient(inner, options);
    }
}
