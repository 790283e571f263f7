using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
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
        services.TryAddSingleton<IBudgetStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            if (!options.BudgetStore.UseRedis || !options.Redis.IsConfigured) return new InMemoryBudgetStore();
            return new ResilientBudgetStore(new RedisBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.Redis.KeyPrefix),
                options.BudgetStore.WhenUnavailable, options.BudgetStore.RetryInterval, sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<ResilientBudgetStore>());
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
