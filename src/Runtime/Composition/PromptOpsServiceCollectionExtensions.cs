using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching.Provider;
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
    /// validates them at start-up (with <c>ProviderCache</c>, the provider prompt cache placement: <c>Enabled</c>,
    /// <c>AnthropicTtl</c> <c>FiveMinutes</c> or <c>OneHour</c>, <c>OpenAiPromptCacheKey</c>), and registers the price catalogue, metrics and the in-memory budget store. With
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
        // PromptOps:ProviderCache: the provider prompt cache placement UsePromptOps() adds (its own options type, which
        // UseProviderPromptCache(…) and services.Configure<ProviderPromptCacheOptions>(…) adjust further). A bad value fails
        // at start-up (or when the pipeline is built), naming the key and the value.
        var providerCache = configuration.GetSection(ProviderPromptCacheConfiguration.SectionName);
        services.AddOptions<ProviderPromptCacheOptions>().Configure(o => ProviderPromptCacheConfiguration.Bind(o, providerCache)).ValidateOnStart();
        return AddCore(services);
    }

    /// <summary>Registers PromptOps with the default options (everything off that needs configuring).</summary>
    public static IServiceCollection AddPromptOps(this IServiceCollection services) => services.AddPromptOps(configure: null);

    /// <summary>Registers PromptOps with options set in code (<paramref name="configure"/> may be null: the defaults).</summary>
    public static IServiceCollection AddPromptOps(this IServiceCollection services, Action<PromptOpsOptions>? configure)
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
        // queued is delivered first); absent (null, which the budget leaves out) when no address is set.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBudgetAlertSink, WebhookBudgetAlertSink>(sp =>
        {
            var webhook = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Budget.Webhook;
            return webhook.IsConfigured
                ? new WebhookBudgetAlertSink(webhook, null, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()?.CreateLogger<WebhookBudgetAlertSink>())
                : null!;
        }));
        // In memory unless PromptOps.Redis (services.AddPromptOpsRedis) replaces this default; a store the application
        // registered itself is left alone by both.
        services.TryAdd(ServiceDescriptor.Singleton(typeof(IBudgetStore), DefaultBudgetStore));
        // The one budget every budget layer of the registered options shares (UsePromptOps' breaker and pace actions,
        // UseCostBudget, UseBudgetActions). Absent (GetService returns null) while no limit is set and no
        // IBudgetLimitProvider is registered: there is nothing to enforce.
        services.TryAddSingleton<CostBudget>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value;
            return options.Budget.IsConfigured || sp.GetService<IBudgetLimitProvider>() is not null
                ? PromptOpsOptionsSnapshot.CreateBudget(sp, options.Budget, options.BudgetStore.LeaseDuration, sp.GetRequiredService<IBudgetStore>())
                : null!;
        });
        // Configured but not registered (PromptOps:Redis:Configuration without AddPromptOpsRedis, …): fails at start-up.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PromptOpsOptions>, PackageRegistrationValidator>());
        return services;
    }
}
