using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Caching.Semantic;
using PromptOps.Pricing;
using PromptOps.Usage;
using StackExchange.Redis;

namespace PromptOps;

/// <summary>Registers PromptOps services: options, the price catalogue, metrics and, when configured, Redis.</summary>
public static class PromptOpsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="PromptOpsOptions"/> from <paramref name="configuration"/> (pass the <c>PromptOps</c> section),
    /// validates them at start-up, and registers the price catalogue, metrics and, when
    /// <c>Redis:Configuration</c> is set, the Redis connection and L2 store. Then build the client with
    /// <c>services.AddChatClient(provider).UsePromptOps()</c>.
    /// </summary>
    public static IServiceCollection AddPromptOps(this IServiceCollection services, IConfiguration configuration, Action<PromptOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<PromptOpsOptions>().Bind(configuration);
        if (configure is not null) builder.PostConfigure(configure);
        return AddCore(services);
    }

    /// <summary>Registers PromptOps with options set in code.</summary>
    public static IServiceCollection AddPromptOps(this IServiceCollection services, Action<PromptOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<PromptOpsOptions>();
        if (configure is not null) builder.Configure(configure);
        return AddCore(services);
    }

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<PromptOpsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptOpsOptions>, PromptOpsOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Pricing.BuildCatalog());
        services.TryAddSingleton(sp => new PromptOpsMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Redis;
            if (!redis.IsConfigured) throw new InvalidOperationException("PromptOps:Redis:Configuration is not set, so there is no Redis connection to resolve.");
            return ConnectionMultiplexer.Connect(redis.ToConfigurationOptions());
        });
        services.TryAddSingleton<IResponseCacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Redis;
            return redis.IsConfigured
                ? new RedisResponseCacheStore(sp.GetRequiredService<IConnectionMultiplexer>(), redis.KeyPrefix)
                : NoDistributedStore.Instance;
        });
        services.TryAddSingleton<ISemanticCacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Redis;
            return redis.IsConfigured
                ? new RedisVectorSetSemanticStore(sp.GetRequiredService<IConnectionMultiplexer>(), redis.KeyPrefix)
                : NoSemanticStore.Instance;
        });
        return services;
    }
}

/// <summary>Registered as the L2 store when no Redis is configured; the cache treats it as "no L2".</summary>
internal sealed class NoDistributedStore : IResponseCacheStore
{
    public static readonly NoDistributedStore Instance = new();

    public string Name => "none";

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken) => ValueTask.FromResult<byte[]?>(null);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan ttl, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Registered as the shared semantic store when no Redis is configured; the cache treats it as "none".</summary>
internal sealed class NoSemanticStore : ISemanticCacheStore
{
    public static readonly NoSemanticStore Instance = new();

    public string Name => "none";

    public ValueTask AddAsync(string partitionKey, string exactKey, ReadOnlyMemory<float> vector, string text, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public ValueTask<IReadOnlyList<SemanticStoreMatch>> SearchAsync(string partitionKey, ReadOnlyMemory<float> vector, int count, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<SemanticStoreMatch>>([]);

    public ValueTask RemoveAsync(string partitionKey, string exactKey, int dimensions, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
