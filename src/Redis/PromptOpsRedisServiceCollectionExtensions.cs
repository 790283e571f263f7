using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Budgets.Redis;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Caching.Semantic;
using StackExchange.Redis;

namespace PromptOps;

/// <summary>Registers PromptOps' Redis parts (package PromptOps.Redis).</summary>
public static class PromptOpsRedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers what PromptOps keeps in Redis when <c>PromptOps:Redis:Configuration</c> is set: the connection
    /// (<see cref="IConnectionMultiplexer"/>, made from <see cref="RedisOptionsExtensions.ToConfigurationOptions"/>), the
    /// L2 response store (<see cref="RedisResponseCacheStore"/>), the shared semantic index
    /// (<see cref="RedisVectorSetSemanticStore"/>) and, with <c>PromptOps:BudgetStore:UseRedis</c> (the default), the budget
    /// and plan store (<see cref="RedisBudgetStore"/> behind a <see cref="ResilientBudgetStore"/> with the
    /// <c>PromptOps:BudgetStore:WhenUnavailable</c> policy; with <c>Escrow</c>, the budget's <see cref="EscrowBudgetStore"/>).
    /// With no connection configured, nothing connects and the cache and budgets stay in memory. Call it with
    /// <c>services.AddPromptOps(…)</c>, which binds the options; <paramref name="configure"/> adjusts them after binding.
    /// An <see cref="IBudgetStore"/>, <see cref="IResponseCacheStore"/> or <see cref="ISemanticCacheStore"/> the application
    /// registered itself is kept.
    /// </summary>
    public static IServiceCollection AddPromptOpsRedis(this IServiceCollection services, Action<RedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null) services.AddOptions<PromptOpsOptions>().PostConfigure(o => configure(o.Redis));
        services.TryAddSingleton<RedisPackageMarker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptOpsOptions>, RedisConnectionValidator>());
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
                : null!; // absent: GetService returns null, and the cache has no L2
        });
        services.TryAddSingleton<ISemanticCacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Redis;
            return redis.IsConfigured
                ? new RedisVectorSetSemanticStore(sp.GetRequiredService<IConnectionMultiplexer>(), redis.KeyPrefix)
                : null!; // absent: the semantic layer keeps its vectors in memory only
        });

        // AddPromptOps' in-memory default (when it was called first) gives way; an application's own store does not.
        var defaultStore = services.FirstOrDefault(d => d.ServiceType == typeof(IBudgetStore) && !d.IsKeyedService
            && Equals(d.ImplementationFactory, PromptOpsServiceCollectionExtensions.DefaultBudgetStore));
        if (defaultStore is not null) services.Remove(defaultStore);
        services.TryAddSingleton<IBudgetStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            if (!options.BudgetStore.UseRedis || !options.Redis.IsConfigured) return new InMemoryBudgetStore();
            return new ResilientBudgetStore(new RedisBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.Redis.KeyPrefix),
                options.BudgetStore.WhenUnavailable, options.BudgetStore.RetryInterval, sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<ResilientBudgetStore>());
        });
        services.TryAddSingleton<EscrowBudgetStore>(sp =>
        {
            // The budget's escrow (policy Escrow with Redis): its own fail-closed view of Redis, so an outage is seen. Absent
            // (null) under any other policy; the container disposes it, returning its unspent slices.
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            if (!options.BudgetStore.UseRedis || !options.Redis.IsConfigured || options.BudgetStore.WhenUnavailable != BudgetStoreFailurePolicy.Escrow)
            {
                return null!;
            }

            var time = sp.GetService<TimeProvider>();
            var loggers = sp.GetService<ILoggerFactory>();
            var shared = new ResilientBudgetStore(new RedisBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.Redis.KeyPrefix),
                BudgetStoreFailurePolicy.FailClosed, options.BudgetStore.RetryInterval, time, loggers?.CreateLogger<ResilientBudgetStore>());
            return new EscrowBudgetStore(shared, options.BudgetStore.Escrow, time, loggers?.CreateLogger<EscrowBudgetStore>());
        });
        return services;
    }
}
