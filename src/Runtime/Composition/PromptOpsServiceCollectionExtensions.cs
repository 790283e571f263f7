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
using PromptOps.Caching.Semantic;
using PromptOps.Pricing;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;
using StackExchange.Redis;

namespace PromptOps;

/// <summary>Registers PromptOps services: options, the price catalogue, metrics and, when configured, Redis and the SQLite usage ledger.</summary>
public static class PromptOpsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="PromptOpsOptions"/> from <paramref name="configuration"/> (pass the <c>PromptOps</c> section),
    /// validates them at start-up, and registers the price catalogue, metrics and, when
    /// <c>Redis:Configuration</c> is set, the Redis connection and L2 store, and when <c>Ledger:SqlitePath</c> is set, the
    /// SQLite usage ledger (an <see cref="IUsageSink"/> the container flushes and closes when it is disposed). Then build the client with
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
        // Built once per container, when first needed: the price files' unreadable entries are logged then, not skipped silently.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Pricing.BuildCatalog(sp.GetService<ILoggerFactory>()?.CreateLogger("PromptOps.Pricing")));
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
        services.TryAddSingleton(sp => new LedgerSinkHolder(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IUsageSink, ConfiguredLedgerSink>(sp => new ConfiguredLedgerSink(sp.GetRequiredService<LedgerSinkHolder>())));
        services.TryAddSingleton<ISemanticCacheStore>(sp =>
        {
            var redis = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Redis;
            return redis.IsConfigured
                ? new RedisVectorSetSemanticStore(sp.GetRequiredService<IConnectionMultiplexer>(), redis.KeyPrefix)
                : NoSemanticStore.Instance;
        });
        // The webhook of budget alerts, when PromptOps:Budget:Webhook:Url is set (disposed with the container: what is
        // queued is delivered first).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetAlertSink, ConfiguredWebhookSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetAlertSink, ConfiguredLedgerAlertSink>(sp => new ConfiguredLedgerAlertSink(sp.GetRequiredService<LedgerSinkHolder>())));
        services.TryAddSingleton<IBudgetStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            if (!options.BudgetStore.UseRedis || !options.Redis.IsConfigured) return new InMemoryBudgetStore();
            return new ResilientBudgetStore(new RedisBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.Redis.KeyPrefix),
                options.BudgetStore.WhenUnavailable, options.BudgetStore.RetryInterval, sp.GetService<TimeProvider>(),
                sp.GetService<ILoggerFactory>()?.CreateLogger<ResilientBudgetStore>());
        });
        services.TryAddSingleton(sp =>
        {
            // The budget's escrow (policy Escrow with Redis): its own fail-closed view of Redis, so an outage is seen.
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            if (!options.BudgetStore.UseRedis || !options.Redis.IsConfigured || options.BudgetStore.WhenUnavailable != BudgetStoreFailurePolicy.Escrow)
            {
                return new BudgetEscrowHolder(null);
            }

            var time = sp.GetService<TimeProvider>();
            var loggers = sp.GetService<ILoggerFactory>();
            var shared = new ResilientBudgetStore(new RedisBudgetStore(sp.GetRequiredService<IConnectionMultiplexer>(), options.Redis.KeyPrefix),
                BudgetStoreFailurePolicy.FailClosed, options.BudgetStore.RetryInterval, time, loggers?.CreateLogger<ResilientBudgetStore>());
            return new BudgetEscrowHolder(new EscrowBudgetStore(shared, options.BudgetStore.Escrow, time, loggers?.CreateLogger<EscrowBudgetStore>()));
        });
        return services;
    }
}

/// <summary>
/// Opens the SQLite ledger of <c>PromptOps:Ledger:SqlitePath</c> on first use (none when the path is not set). Owned by
/// the container, which disposes it — flushing every queued record — when the application stops.
/// </summary>
internal sealed class LedgerSinkHolder : IAsyncDisposable, IDisposable
{
    private readonly Lazy<SqliteUsageSink?> _sink;

    public LedgerSinkHolder(IServiceProvider services) =>
        _sink = new(() =>
        {
            var options = services.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Ledger;
            return options.IsSqliteEnabled
                ? new SqliteUsageSink(options, services.GetService<PromptOpsMetrics>(), services.GetService<TimeProvider>(),
                    services.GetService<ILoggerFactory>()?.CreateLogger<SqliteUsageSink>())
                : null;
        });

    public SqliteUsageSink? Sink => _sink.Value;

    public ValueTask DisposeAsync() => _sink.IsValueCreated && _sink.Value is { } s ? s.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (_sink.IsValueCreated) _sink.Value?.Dispose();
    }
}

/// <summary>The <see cref="IUsageSink"/> registration of the SQLite ledger; the meter leaves it out when no path is set.</summary>
internal sealed class ConfiguredLedgerSink(LedgerSinkHolder holder) : IUsageSink
{
    public SqliteUsageSink? Sink => holder.Sink;

    public void Record(UsageRecord record) => holder.Sink?.Record(record);
}

/// <summary>The budget's alerts and actions into the SQLite ledger's <c>budget_events</c> (nothing when no path is set).</summary>
internal sealed class ConfiguredLedgerAlertSink(LedgerSinkHolder holder) : IBudgetAlertSink
{
    public ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken) =>
        holder.Sink is { } sink ? sink.PublishAsync(alert, cancellationToken) : ValueTask.CompletedTask;
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

/// <summary>The budget's <see cref="EscrowBudgetStore"/> when the policy is Escrow with Redis (else null); disposing returns its slices.</summary>
internal sealed class BudgetEscrowHolder(EscrowBudgetStore? store) : IAsyncDisposable, IDisposable
{
    public EscrowBudgetStore? Store { get; } = store;

    public ValueTask DisposeAsync() => Store?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => Store?.Dispose();
}

/// <summary>The webhook alert sink of <c>PromptOps:Budget:Webhook</c>; does nothing when no address is set.</summary>
internal sealed class ConfiguredWebhookSink : IBudgetAlertSink, IAsyncDisposable, IDisposable
{
    private readonly WebhookBudgetAlertSink? _sink;

    public ConfiguredWebhookSink(IOptions<PromptOpsOptions> options, IServiceProvider services)
    {
        var webhook = options.Value.Budget.Webhook;
        if (webhook.IsConfigured)
        {
            _sink = new WebhookBudgetAlertSink(webhook, null, services.GetService<TimeProvider>(),
                services.GetService<ILoggerFactory>()?.CreateLogger<WebhookBudgetAlertSink>());
        }
    }

    public WebhookBudgetAlertSink? Sink => _sink;

    public ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken) =>
        _sink is null ? ValueTask.CompletedTask : _sink.PublishAsync(alert, cancellationToken);

    public ValueTask DisposeAsync() => _sink?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _sink?.Dispose();
}
