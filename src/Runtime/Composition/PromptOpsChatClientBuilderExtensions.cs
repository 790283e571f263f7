using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Plans;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Truncation;
using PromptOps.Usage;

namespace PromptOps;

/// <summary><c>Use…</c> extensions that add PromptOps middleware to a <see cref="ChatClientBuilder"/>.</summary>
public static class PromptOpsChatClientBuilderExtensions
{
    /// <summary>
    /// Adds the whole PromptOps pipeline in the right order, outermost first: usage meter (sees cache hits and refusals)
    /// → reply escalation (when <c>Escalation:Enabled</c>, the default; each tier tried goes through every layer below)
    /// → user plans and rate limits (when <c>Plans:Enabled</c>) → budget actions (downgrade, pause, semantic widening: when <c>Budget:DowngradeWhenCritical</c> or a <c>Budget:Actions</c> rule asks)
    /// → cascade (when <c>Cascade:Enabled</c>) → tier routing (sets the model and the task's output limit the cache keys on)
    /// → response cache → truncation policy (inside the cache, so a retried whole answer is what is stored) → budget
    /// breaker (when a <c>Budget</c> limit is set; inside the cache, so a hit reserves nothing) → fallback and retries (when
    /// <c>Fallback:Enabled</c>) → the provider. Options come from
    /// <c>services.AddPromptOps(…)</c> when registered, else the defaults; <paramref name="configure"/> adjusts a copy.
    /// Invalid options throw when the client is built, naming the bad value.
    /// </summary>
    /// <remarks>
    /// Telemetry: PromptOps records cost, saved cost, cache layer, budget and plan outcomes and escalations (meter and
    /// activity source <c>PromptOps</c>) and leaves <c>gen_ai.*</c> to Microsoft.Extensions.AI. Call <c>UseOpenTelemetry()</c>
    /// after <c>UsePromptOps()</c> (<c>.UsePromptOps().UseOpenTelemetry()</c>), so that it is innermost, next to the provider: it
    /// then sees exactly the provider calls (each escalation, cascade level and fallback retry; never a cache hit or a refused
    /// request), so <c>gen_ai.client.token.usage</c> counts billed tokens and <c>gen_ai.request.model</c> is the routed model,
    /// and its <c>chat</c> spans are children of the request's <c>promptops.chat</c> span. Outermost, it would count a cache
    /// hit as a chat call with the cached response's tokens and see the model before routing.
    /// </remarks>
    public static ChatClientBuilder UsePromptOps(this ChatClientBuilder builder, Action<PromptOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var limits = new LimitParts();
        return builder
            .Use((inner, services) => CreateMeter(inner, services))
            .Use((inner, services) => Resolve(services, configure) is { Escalation.Enabled: true } o ? CreateEscalation(inner, services, o.Escalation) : inner)
            .Use((inner, services) => Resolve(services, configure) is { Plans.Enabled: true } o ? CreatePlans(inner, services, o, o.Plans, limits) : inner)
            .Use((inner, services) => Resolve(services, configure) is { Budget.IsConfigured: true } o && NeedsActionLayer(o.Budget)
                ? new BudgetActionChatClient(inner, limits.GetBudget(services, o, o.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<BudgetActionChatClient>())
                : inner)
            .Use((inner, services) => Resolve(services, configure) is { Cascade.Enabled: true } o ? CreateCascade(inner, services, o.Cascade, o.Routing) : inner)
            .Use((inner, services) => CreateRouter(inner, services, Resolve(services, configure).Routing))
            .Use((inner, services) => CreateCache(inner, services, Resolve(services, configure).Cache))
            .Use((inner, services) => new TruncationChatClient(inner, Resolve(services, configure).Truncation))
            .Use((inner, services) => Resolve(services, configure) is var o && (o.Budget.IsConfigured || services.GetService<IBudgetLimitProvider>() is not null)
                ? new CostBudgetChatClient(inner, limits.GetBudget(services, o, o.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<CostBudgetChatClient>(), GetMetrics(services))
                : inner)
            .Use((inner, services) => Resolve(services, configure) is { Fallback.Enabled: true } o ? CreateFallback(inner, services, o.Fallback, []) : inner)
            .Use((inner, services) => services.GetService<Routing.Batching.ProviderBatchScheduler>() is { } batching ? new Routing.Batching.DeferrableChatClient(inner, batching) : inner)
            .Use((inner, services) => WarmTokenizers(inner, services, configure));
    }

    /// <summary>
    /// Adds no layer: when budgets or plans are on, starts loading the tokenizers they count with in the background
    /// (<see cref="Tokens.TokenizerWarmup"/>), so the first request does not pay for it.
    /// </summary>
    private static IChatClient WarmTokenizers(IChatClient inner, IServiceProvider services, Action<PromptOpsOptions>? configure)
    {
        _ = (services.GetService<Tokens.TokenizerWarmup>() ?? Tokens.TokenizerWarmup.Shared).Start(Resolve(services, configure), services);
        return inner;
    }

    /// <summary>True when a pace action is applied per request (downgrade, pause, semantic widening); the others live in the budget itself.</summary>
    private static bool NeedsActionLayer(Budgets.CostBudgetOptions budget) =>
        budget.EffectiveActionRules().Any(r => r.When != BudgetActionTrigger.Anomaly
            && r.Action is BudgetActionKind.DowngradeTier or BudgetActionKind.PauseNonEssential or BudgetActionKind.WidenSemanticCache);

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
            return new CostBudgetChatClient(inner, limits.GetBudget(services, options, options.Budget), services.GetService<ILoggerFactory>()?.CreateLogger<CostBudgetChatClient>(), GetMetrics(services));
        });
    }

    /// <summary>
    /// Adds <see cref="CascadeChatClient"/>: cheapest level first, escalating while the request's evaluator (or
    /// <see cref="CascadeOptions.DefaultEvaluator"/>) rejects the answer. Place it where <c>UsePromptOps</c> does: inside the
    /// meter, outside tier routing and the cache.
    /// </summary>
    public static ChatClientBuilder UseCascade(this ChatClientBuilder builder, Action<CascadeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var all = Resolve(services, null);
            configure?.Invoke(all.Cascade);
            return CreateCascade(inner, services, all.Cascade, all.Routing);
        });
    }

    /// <summary>
    /// Adds <see cref="FallbackChatClient"/> around the builder's provider: the provider first (named
    /// <see cref="FallbackOptions.PrimaryName"/>), then <paramref name="fallbacks"/>, then the keyed clients named in
    /// <see cref="FallbackOptions.Providers"/>; retries with backoff per provider. Place it innermost (next to the provider).
    /// </summary>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder, IEnumerable<NamedChatClient> fallbacks, Action<FallbackOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(fallbacks);
        var list = fallbacks.ToList();
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null).Fallback;
            configure?.Invoke(options);
            return CreateFallback(inner, services, options, list);
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

    /// <summary>
    /// Adds <see cref="TruncationChatClient"/>: return, throw or retry a reply cut off at the output-token limit. Place it
    /// where <c>UsePromptOps</c> does: inside the response cache (so a retried whole answer is what is cached), outside the
    /// budget breaker and the provider. Options: <c>PromptOps:Truncation</c> as registered, adjusted by <paramref name="configure"/>.
    /// </summary>
    public static ChatClientBuilder UseTruncationPolicy(this ChatClientBuilder builder, Action<TruncationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null).Truncation;
            configure?.Invoke(options);
            return new TruncationChatClient(inner, options);
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
            return CreateRouter(inner, services, options);
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
        PackageRegistrations.ThrowIfMissing(services, options);
        return options;
    }

    private static TierRoutingChatClient CreateRouter(IChatClient inner, IServiceProvider services, TierRoutingOptions options) =>
        new(inner, options, services.GetService<PriceCatalog>());

    /// <summary>
    /// Adds <see cref="EscalationChatClient"/>: a reply that does not validate (generated enum, bool, number and JSON results)
    /// is asked again one tier up, to <c>Escalation:MaxTier</c>. Place it where <c>UsePromptOps</c> does: just inside the
    /// usage meter (which then records every tier tried in one record), outside tier routing.
    /// </summary>
    public static ChatClientBuilder UseReplyEscalation(this ChatClientBuilder builder, Action<EscalationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = Resolve(services, null).Escalation;
            configure?.Invoke(options);
            return CreateEscalation(inner, services, options);
        });
    }

    private static EscalationChatClient CreateEscalation(IChatClient inner, IServiceProvider services, EscalationOptions options) =>
        new(inner, options, services.GetService<TimeProvider>(), GetMetrics(services), services.GetService<ILoggerFactory>()?.CreateLogger<EscalationChatClient>());

    private static CascadeChatClient CreateCascade(IChatClient inner, IServiceProvider services, CascadeOptions options, TierRoutingOptions routing) =>
        new(inner, options, routing, services.GetService<ILoggerFactory>()?.CreateLogger<CascadeChatClient>());

    // Typed IChatClient and never inlined: FallbackChatClient holds Polly types in static fields, so a caller that merely
    // mentions the type (the conditional in UsePromptOps merges it with IChatClient) makes the JIT load Polly.Core even when
    // fallback is off. Only this method names it, and it runs only when fallback is on (PackageGraphTests checks the load).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The interface keeps Polly unloaded until fallback is on (see above).")]
    private static IChatClient CreateFallback(IChatClient inner, IServiceProvider services, FallbackOptions options, IEnumerable<NamedChatClient> extra)
    {
        List<NamedChatClient> chain = [new(options.PrimaryName, inner), .. extra];
        foreach (var key in options.Providers)
        {
            var client = services.GetKeyedService<IChatClient>(key.Trim())
                ?? throw new InvalidOperationException($"PromptOps:Fallback:Providers names '{key}', but no keyed IChatClient is registered under that key (services.AddKeyedChatClient(\"{key}\", …)).");
            chain.Add(new NamedChatClient(key, client) { DisposeWithChain = false }); // the container owns it
        }

        return new FallbackChatClient(chain, options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>()?.CreateLogger<FallbackChatClient>());
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
            (services.GetService<IEnumerable<IUsageSink>>() ?? []) // Build() without a container has no IEnumerable<T> support
                .Where(s => s is not IOptionalUsageSink { IsActive: false }), // the SQLite ledger registration when no path is set
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
            var provider = services.GetService<IBudgetLimitProvider>();
            if (!budget.IsConfigured && provider is null) errors.Add(CostBudget.NoLimitError);
            if (errors.Count > 0) throw new OptionsValidationException(PromptOpsOptions.SectionName, typeof(PromptOpsOptions), errors);
            var store = services.GetService<BudgetEscrowHolder>()?.Store ?? GetStore(services);
            lock (_gate)
            {
                return _budget ??= new CostBudget(budget, store, services.GetService<PriceCatalog>() ?? new PriceCatalog(), options.BudgetStore.LeaseDuration,
                    services.GetService<TimeProvider>(), provider, services.GetServices<IBudgetAlertSink>(),
                    services.GetService<ILoggerFactory>()?.CreateLogger<CostBudget>(), GetMetrics(services));
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
