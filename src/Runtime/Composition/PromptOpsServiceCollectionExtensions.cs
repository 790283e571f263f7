using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps;

/// <summary>
/// Registers PromptOps services: options, the price catalogue, metrics, the budget store (in memory) and the webhook alert
/// sink. Redis and the SQLite usage ledger come with their packages: <c>services.AddPromptOpsRedis()</c> (PromptOps.Redis)
/// and <c>services.AddPromptOpsSqliteLedger()</c> (PromptOps.Sqlite).
/// </summary>
public static class PromptOpsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="PromptOpsOptions"/> from <paramref name="configuration"/> (pass the <c>PromptOps</c> section),
    /// validates them at start-up, and registers the price catalogue, metrics and the in-memory budget store. With
    /// <c>Redis:Configuration</c> set, also call <c>services.AddPromptOpsRedis()</c> (package PromptOps.Redis); with
    /// <c>Ledger:SqlitePath</c> set, <c>services.AddPromptOpsSqliteLedger()</c> (package PromptOps.Sqlite) — without them,
    /// start-up and building the pipeline fail, naming the package and the call. Then build the client with
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

    /// <summary>The factory of the default (in-memory) <see cref="IBudgetStore"/>; PromptOps.Redis recognises and replaces it.</summary>
    internal static readonly Func<IServiceProvider, object> DefaultBudgetStore = static _ => new InMemoryBudgetStore();

    private static IServiceCollection AddCore(IServiceCollection services)
    {
        services.AddOptions<PromptOpsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptOpsOptions>, PromptOpsOptionsValidator>());
        // Built once per container, when first needed: the price files' unreadable entries are logged then, not skipped silently.
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Pricing.BuildCatalog(sp.GetService<ILoggerFactory>()?.CreateLogger("PromptOps.Pricing")));
        services.TryAddSingleton(sp => new PromptOpsMetrics(sp.GetService<IMeterFactory>()));
        // The webhook of budget alerts, when PromptOps:Budget:Webhook:Url is set (disposed with the container: what is
        // queued is delivered first).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetAlertSink, ConfiguredWebhookSink>());
        // In memory unless PromptOps.Redis (services.AddPromptOpsRedis) replaces this default; a store the application
        // registered itself is left alone by both.
        services.TryAdd(ServiceDescriptor.Singleton(typeof(IBudgetStore), DefaultBudgetStore));
        // Configured but not registered (PromptOps:Redis:Configuration without AddPromptOpsRedis, …): fails at start-up.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptOpsOptions>, PackageRegistrationValidator>());
        return services;
    }
}

/// <summary>
/// A registered <see cref="IUsageSink"/> that may have nothing to write to (the SQLite ledger's registration when no path is
/// set); the usage meter leaves it out when <see cref="IsActive"/> is false.
/// </summary>
internal interface IOptionalUsageSink : IUsageSink
{
    /// <summary>False when the sink would drop everything it is given.</summary>
    bool IsActive { get; }
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
