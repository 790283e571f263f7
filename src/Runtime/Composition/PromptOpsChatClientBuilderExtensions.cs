using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Usage;

namespace PromptOps;

/// <summary><c>Use…</c> extensions that add PromptOps middleware to a <see cref="ChatClientBuilder"/>.</summary>
public static class PromptOpsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the whole PromptOps pipeline in the right order, outermost first: usage meter (sees cache hits) → tier
    /// routing (sets the model the cache keys on) → response cache → the provider. Options come from
    /// <c>services.AddPromptOps(…)</c> when registered, else the defaults; <paramref name="configure"/> adjusts a copy.
    /// Invalid options throw when the client is built, naming the bad value.
    /// </summary>
    public static ChatClientBuilder UsePromptOps(this ChatClientBuilder builder, Action<PromptOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .Use((inner, services) => CreateMeter(inner, services))
            .Use((inner, services) => new TierRoutingChatClient(inner, Resolve(services, configure).Routing))
            .Use((inner, services) => CreateCache(inner, services, Resolve(services, configure).Cache));
    }

    /// <summary>Adds <see cref="TierRoutingChatClient"/>.</summary>
    public static ChatClientBuilder UseTierRouting(this ChatClientBuilder builder, Action<TierRoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null).Routing;
            configure?.Invoke(options);
            return new TierRoutingChatClient(inner, options);
        });
    }

    /// <summary>
    /// Adds <see cref="PromptCacheChatClient"/>; L2 is the registered <see cref="IResponseCacheStore"/>, if any. With
    /// <c>Semantic.Enabled</c>, the semantic layer uses the registered <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>
    /// (building fails, naming the setting, when there is none) and the registered <see cref="ISemanticCacheStore"/>.
    /// </summary>
    public static ChatClientBuilder UsePromptCache(this ChatClientBuilder builder, Action<PromptCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null).Cache;
            configure?.Invoke(options);
            return CreateCache(inner, services, options);
        });
    }

    /// <summary>Adds <see cref="UsageMeterChatClient"/> with the registered <see cref="PriceCatalog"/> and <see cref="IUsageSink"/>s.</summary>
    public static ChatClientBuilder UseUsageMeter(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => CreateMeter(inner, services));
    }

    private static PromptOpsOptions Resolve(IServiceProvider services, Action<PromptOpsOptions>? configure)
    {
        var registered = services.GetService<IOptions<PromptOpsOptions>>()?.Value;
        var options = registered?.Clone() ?? new PromptOpsOptions();
        configure?.Invoke(options);
        options.Validate();
        return options;
    }

    private static PromptCacheChatClient CreateCache(IChatClient inner, IServiceProvider services, PromptCacheOptions options)
    {
        IEmbeddingGenerator<string, Embedding<float>>? generator = null;
        ISemanticCacheStore? semanticStore = null;
        if (options.Semantic.Enabled)
        {
            generator = services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? throw new InvalidOperationException(
                "PromptOps:Cache:Semantic:Enabled is true, but no IEmbeddingGenerator<string, Embedding<float>> is registered. Register one (services.AddMiniLmEmbeddingGenerator() from PromptOps.Embeddings.MiniLM works offline) or turn the semantic layer off.");
            if (options.UseDistributed && options.Semantic.UseDistributed && services.GetService<ISemanticCacheStore>() is { } st and not NoSemanticStore) semanticStore = st;
        }

        return new(inner, options,
            options.UseDistributed && services.GetService<IResponseCacheStore>() is { } s and not NoDistributedStore ? s : null, // no Redis connection unless used
            services.GetService<ILoggerFactory>()?.CreateLogger<PromptCacheChatClient>(), GetMetrics(services), generator, semanticStore);
    }

    private static UsageMeterChatClient CreateMeter(IChatClient inner, IServiceProvider services) =>
        new(inner,
            services.GetService<PriceCatalog>() ?? new PriceCatalog(),
            services.GetService<IEnumerable<IUsageSink>>() ?? [], // Build() without a container has no IEnumerable<T> support
            GetMetrics(services),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<UsageMeterChatClient>());

    private static PromptOpsMetrics GetMetrics(IServiceProvider services) =>
        services.GetService<PromptOpsMetrics>() ?? (services.GetService<IMeterFactory>() is { } f ? new PromptOpsMetrics(f) : PromptOpsMetrics.Shared);
}
