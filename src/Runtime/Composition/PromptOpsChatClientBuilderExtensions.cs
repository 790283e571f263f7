using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Plans;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Usage;

namespace PromptOps;

/// <summary><c>Use…</c> extensions that add PromptOps middleware to a <see cref="ChatClientBuilder"/>.</summary>
public static class PromptOpsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the whole PromptOps pipeline in the right order, outermost first: usage meter (sees cache hits) → user
    /// plans and rate limits (when <c>Plans:Enabled</c>) → budget downgrade (when <c>Budget:DowngradeWhenCritical</c>)
    /// → tier routing (sets the model the cache keys on) → response cache → budget breaker (when a <c>Budget</c> limit
    /// is set; inside the cache, so a hit reserves nothing) → the provider. Options come from
    /// <c>services.AddPromptOps(…)</c> when registered, else the defaults; <paramref name="configure"/> adjusts a copy.
    /// Invalid options throw when the client is built, naming the bad value.
    /// </summary>
    public static ChatClientBuilder UsePromptOps(this ChatClientBuilder builder, Action<PromptOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limits = new LimitParts();
        return builder
            .Use((inner, services) => CreateMeter(inner, services))
            .Use((inner, services) => Resolve(services, configure) is { Plans.Enabled: true } o ? CreatePlans(inner, services, o, o.Plans, limits) : inner)
            .Use((inner, services) => Resolve(services, configure) is { Budget: { IsConfigured: true, DowngradeWhenCritical: true } } o
                ? new BudgetDowngradeChatClient(inner, limits.GetBudget(services, o, o.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<BudgetDowngradeChatClient>())
                : inner)
            .Use((inner, services) => new TierRoutingChatClient(inner, Resolve(services, configure).Routing))
            .Use((inner, services) => CreateCache(inner, services, Resolve(services, configure).Cache))
            .Use((inner, services) => Resolve(services, configure) is { Budget.IsConfigured: true } o
                ? new CostBudgetChatClient(inner, limits.GetBudget(services, o, o.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<CostBudgetChatClient>())
                : inner);
    }

    /// <summary>
    /// Adds the budget breaker (<see cref="CostBudgetChatClient"/>) alone. Place it inside the response cache. Options:
    /// <c>PromptOps:Budget</c> as registered, adjusted by <paramref name="configure"/>; at least one limit must be set.
    /// Spend is counted in the registered <see cref="IBudgetStore"/> (Redis when <c>services.AddPromptOps</c> configured
    /// it), else in memory.
    /// </summary>
    public static ChatClientBuilder UseCostBudget(this ChatClientBuilder builder, Action<CostBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limits = new LimitParts();
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null);
            configure?.Invoke(options.Budget);
            return new CostBudgetChatClient(inner, limits.GetBudget(services, options, options.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<CostBudgetChatClient>());
        });
    }

    /// <summary>
    /// Adds user plans and rate limits (<see cref="UserPlanChatClient"/>) alone, on whatever <c>Plans:Enabled</c> says.
    /// Place it before tier routing and the cache. Options: <c>PromptOps:Plans</c> as registered, adjusted by
    /// <paramref name="configure"/>; the tier → model table is <c>PromptOps:Routing:Models</c>.
    /// </summary>
    public static ChatClientBuilder UseUserPlans(this ChatClientBuilder builder, Action<UserPlanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limits = new LimitParts();
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null);
            configure?.Invoke(options.Plans);
            return CreatePlans(inner, services, options, options.Plans, limits);
        });
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

    /// <summary>Adds <see cref="PromptCacheChatClient"/>; L2 is the registered <see cref="IResponseCacheStore"/>, if any.</summary>
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

    private static PromptCacheChatClient CreateCache(IChatClient inner, IServiceProvider services, PromptCacheOptions options) =>
        new(inner, options,
            options.UseDistributed && services.GetService<IResponseCacheStore>() is { } s and not NoDistributedStore ? s : null, // no Redis connection unless used
            services.GetService<ILoggerFactory>()?.CreateLogger<PromptCacheChatClient>(), GetMetrics(services));

    private static UsageMeterChatClient CreateMeter(IChatClient inner, IServiceProvider services) =>
        new(inner,
            services.GetService<PriceCatalog>() ?? new PriceCatalog(),
            services.GetService<IEnumerable<IUsageSink>>() ?? [], // Build() without a container has no IEnumerable<T> support
            GetMetrics(services),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<UsageMeterChatClient>());

    private static UserPlanChatClient CreatePlans(IChatClient inner, IServiceProvider services, PromptOpsOptions options, UserPlanOptions plans, LimitParts limits)
    {
        var errors = plans.GetErrors().ToList();
        if (errors.Count > 0) throw new OptionsValidationException(PromptOpsOptions.SectionName, typeof(PromptOpsOptions), errors);
        return new UserPlanChatClient(inner, plans, limits.GetStore(services), services.GetService<IUserPlanResolver>(), options.Routing.Resolve(),
            options.BudgetStore.LeaseDuration, services.GetService<TimeProvider>());
    }

    /// <summary>The store and the budget every limit layer of one builder shares (the registered store when there is one).</summary>
    private sealed class LimitParts
    {
        private readonly object _gate = new();
        private IServiceProvider? _services;
        private IBudgetStore? _store;
        private CostBudget? _budget;

        public IBudgetStore GetStore(IServiceProvider services)
        {
            lock (_gate)
            {
                Reset(services);
                return _store ??= services.GetService<IBudgetStore>() ?? new InMemoryBudgetStore();
            }
        }

        public CostBudget GetBudget(IServiceProvider services, PromptOpsOptions options, CostBudgetOptions budget)
        {
            var errors = budget.GetErrors().ToList();
            if (!budget.IsConfigured) errors.Add("PromptOps:Budget: no limit is set (HourlyLimitUsd, DailyLimitUsd or MonthlyBudgetUsd).");
            if (errors.Count > 0) throw new OptionsValidationException(PromptOpsOptions.SectionName, typeof(PromptOpsOptions), errors);
            var store = GetStore(services);
            lock (_gate)
            {
                return _budget ??= new CostBudget(budget, store, services.GetService<PriceCatalog>() ?? new PriceCatalog(), options.BudgetStore.LeaseDuration,
                    services.GetService<TimeProvider>());
            }
        }

        private void Reset(IServiceProvider services)
        {
            if (ReferenceEquals(_services, services)) return;
            _services = services;
            _store = null;
            _budget = null;
        }
    }

    private static PromptOpsMetrics GetMetrics(IServiceProvider services) =>
        services.GetService<PromptOpsMetrics>() ?? (services.GetService<IMeterFactory>() is { } f ? new PromptOpsMetrics(f) : PromptOpsMetrics.Shared);
}
