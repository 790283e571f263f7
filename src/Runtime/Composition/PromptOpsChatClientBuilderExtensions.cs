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
    /// breaker (when a <c>Budget</c> limit is set; inside the cache, so a hit reserves nothing) → provider prompt cache placement
    /// (tells <see cref="Caching.Provider.ProviderPromptCacheHandler"/> the prompt; outside the fallback so every provider tried
    /// gets it; with batching registered, deferrable calls go to the provider's batch API just before it) → fallback and retries (when <c>Fallback:Enabled</c>) → the provider. Each layer is added by its public <c>Use…</c> call, in that order.
    /// Options come from <c>services.AddPromptOps(…)</c> when registered, else the defaults; <paramref name="configure"/>
    /// adjusts a copy. They are resolved, configured and validated once per <c>Build</c>, and every layer reads that one
    /// snapshot; invalid options throw when the client is built, naming the bad value. Shared services come from DI: the
    /// budget breaker and the budget actions share the <see cref="CostBudget"/> that <c>AddPromptOps</c> registered (with
    /// <paramref name="configure"/>, or without <c>AddPromptOps</c>, one budget made for this pipeline).
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
        return builder.Use((inner, services) =>
        {
            // One options snapshot per Build: resolved, configured and validated here, once; every layer below reads it from DI.
            var snapshot = PromptOpsOptionsSnapshot.Resolve(services, configure);
            var o = snapshot.Options;
            var layers = new ChatClientBuilder(inner);
            // Outermost first. The order's invariants are tested (PipelineOrderTests); change them there too.
            layers.UseUsageMeter();
            if (o.Escalation.Enabled) layers.UseReplyEscalation();
            if (o.Plans.Enabled) layers.UseUserPlans();
#pragma warning disable PROMPTOPS001 // budget actions are experimental (PROMPTOPS001); the layer is added when a rule needs it
            if (o.Budget.IsConfigured && NeedsActionLayer(o.Budget)) layers.UseBudgetActions();
#pragma warning restore PROMPTOPS001
            if (o.Cascade.Enabled) layers.UseCascade();
            layers.UseTierRouting();
            layers.UsePromptCache();
            layers.UseTruncationPolicy();
            if (o.Budget.IsConfigured || services.GetService<IBudgetLimitProvider>() is not null) layers.UseCostBudget();
            // Deferrable calls go to the provider's batch API instead of the provider; outside the fallback, whose per-attempt
            // timeout would abandon a call waiting for its batch, and inside routing, the cache and the budget.
#pragma warning disable PROMPTOPS001 // provider batching is experimental; the layer is added only when the user registered it
            if (services.GetService<Routing.Batching.ProviderBatchScheduler>() is not null) layers.UseProviderBatching();
#pragma warning restore PROMPTOPS001
            // Marks the provider's own prompt cache (ProviderPromptCacheHandler); outside the fallback so every provider tried gets the hint.
            layers.UseProviderPromptCache();
            if (o.Fallback.Enabled) layers.UseFallback();
            // Adds no layer: when budgets or plans are on, the tokenizers they count with start loading in the background.
            _ = (services.GetService<Tokens.TokenizerWarmup>() ?? Tokens.TokenizerWarmup.Shared).Start(o, services);
            return layers.Build(new PromptOpsBuildServices(services, snapshot));
        });
    }

    /// <summary>True when a pace action is applied per request (downgrade, pause, semantic widening); the others live in the budget itself.</summary>
#pragma warning disable PROMPTOPS001 // reads the experimental action rules
    private static bool NeedsActionLayer(Budgets.CostBudgetOptions budget) =>
        budget.EffectiveActionRules().Any(r => r.When != BudgetActionTrigger.Anomaly
            && r.Action is BudgetActionKind.DowngradeTier or BudgetActionKind.PauseNonEssential or BudgetActionKind.WidenSemanticCache);
#pragma warning restore PROMPTOPS001

    /// <summary>
    /// Adds the budget breaker (<see cref="CostBudgetChatClient"/>) alone. Place it inside the response cache. Options:
    /// <c>PromptOps:Budget</c> as registered, adjusted by <paramref name="configure"/>; at least one limit must be set.
    /// Spend is counted in the registered <see cref="IBudgetStore"/> (Redis when <c>services.AddPromptOps</c> configured
    /// it), else in memory.
    /// </summary>
    public static ChatClientBuilder UseCostBudget(this ChatClientBuilder builder, Action<CostBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new CostBudgetChatClient(inner, GetBudget(PromptOpsOptionsSnapshot.Of(services), configure), services.GetService<ILoggerFactory>()?.CreateLogger<CostBudgetChatClient>(), GetMetrics(services)));
    }

    /// <summary>
    /// Adds the budget's pace actions (<see cref="BudgetActionChatClient"/>: downgrade, pause non-essential calls, widen the
    /// semantic cache). Place it where <c>UsePromptOps</c> does: inside the meter, before tier routing and the cache.
    /// Without <paramref name="configure"/> it shares the budget of the budget breaker (the <see cref="CostBudget"/> that
    /// <c>services.AddPromptOps</c> registered, or the one of the <c>UsePromptOps</c> pipeline); with it, it has its own.
    /// The budget needs <c>PromptOps:Budget:MonthlyBudgetUsd</c>. Experimental (<c>PROMPTOPS001</c>), like the actions.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    public static ChatClientBuilder UseBudgetActions(this ChatClientBuilder builder, Action<CostBudgetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            new BudgetActionChatClient(inner, GetBudget(PromptOpsOptionsSnapshot.Of(services), configure), services.GetService<ILoggerFactory>()?.CreateLogger<BudgetActionChatClient>()));
    }

    /// <summary>The snapshot's shared budget; with <paramref name="configure"/>, a budget of its own adjusted copy of the options.</summary>
    private static CostBudget GetBudget(PromptOpsOptionsSnapshot snapshot, Action<CostBudgetOptions>? configure)
    {
        if (configure is null) return snapshot.Budget;
        var options = snapshot.Options.Budget.Clone();
        configure(options);
        return snapshot.CreateBudget(options);
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
            var all = PromptOpsOptionsSnapshot.Of(services).Options;
            return CreateCascade(inner, services, Adjust(all.Cascade, static c => c.Clone(), static c => c.GetErrors(), configure), all.Routing);
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
            var options = Adjust(PromptOpsOptionsSnapshot.Of(services).Options.Fallback, static f => f.Clone(), static f => f.GetErrors(), configure);
            return CreateFallback(inner, services, options, list);
        });
    }

    /// <summary>
    /// Adds <see cref="FallbackChatClient"/> around the builder's provider: the provider first (named
    /// <see cref="FallbackOptions.PrimaryName"/>), then the keyed clients named in <see cref="FallbackOptions.Providers"/>;
    /// retries with backoff per provider. Place it innermost (next to the provider).
    /// </summary>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder, Action<FallbackOptions>? configure) =>
        builder.UseFallback([], configure);

    /// <summary>
    /// Adds <see cref="FallbackChatClient"/> with the options registered in <c>PromptOps:Fallback</c>: the provider first,
    /// then the keyed clients named in <see cref="FallbackOptions.Providers"/>. Place it innermost (next to the provider).
    /// </summary>
    public static ChatClientBuilder UseFallback(this ChatClientBuilder builder) => builder.UseFallback([], configure: null);

    /// <summary>
    /// Adds user plans and rate limits (<see cref="UserPlanChatClient"/>) alone, on whatever <c>Plans:Enabled</c> says.
    /// Place it before tier routing and the cache. Options: <c>PromptOps:Plans</c> as registered, adjusted by
    /// <paramref name="configure"/>; the tier → model table is <c>PromptOps:Routing:Models</c>.
    /// </summary>
    public static ChatClientBuilder UseUserPlans(this ChatClientBuilder builder, Action<UserPlanOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var snapshot = PromptOpsOptionsSnapshot.Of(services);
            return CreatePlans(inner, services, snapshot, Adjust(snapshot.Options.Plans, static p => p.Clone(), static p => p.GetErrors(), configure));
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
            new TruncationChatClient(inner, Adjust(PromptOpsOptionsSnapshot.Of(services).Options.Truncation, static t => t.Clone(), static t => t.GetErrors(), configure)));
    }

    /// <summary>Adds <see cref="TierRoutingChatClient"/>.</summary>
    public static ChatClientBuilder UseTierRouting(this ChatClientBuilder builder, Action<TierRoutingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
            CreateRouter(inner, services, Adjust(PromptOpsOptionsSnapshot.Of(services).Options.Routing, static r => r.Clone(), static r => r.GetErrors(), configure)));
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
            CreateCache(inner, services, Adjust(PromptOpsOptionsSnapshot.Of(services).Options.Cache, static c => c.Clone(), static c => c.GetErrors(), configure)));
    }

    /// <summary>Adds <see cref="UsageMeterChatClient"/> with the registered <see cref="PriceCatalog"/> and <see cref="IUsageSink"/>s.</summary>
    public static ChatClientBuilder UseUsageMeter(this ChatClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) => CreateMeter(inner, services));
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
            CreateEscalation(inner, services, Adjust(PromptOpsOptionsSnapshot.Of(services).Options.Escalation, static e => e.Clone(), static e => e.GetErrors(), configure)));
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
            if (options.UseDistributed && options.Semantic.UseDistributed) semanticStore = services.GetService<ISemanticCacheStore>(); // absent without Redis
        }

        return new(inner, options,
            options.UseDistributed ? services.GetService<IResponseCacheStore>() : null, // absent without Redis; no connection unless used
            services.GetService<ILoggerFactory>()?.CreateLogger<PromptCacheChatClient>(), GetMetrics(services), generator, semanticStore);
    }

    private static UsageMeterChatClient CreateMeter(IChatClient inner, IServiceProvider services) =>
        new(inner,
            services.GetService<PriceCatalog>() ?? new PriceCatalog(),
            (services.GetService<IEnumerable<IUsageSink>>() ?? []) // Build() without a container has no IEnumerable<T> support
                .Where(s => s is not null), // an optional sink that is not configured (the SQLite ledger without a path) resolves to null
            GetMetrics(services),
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger<UsageMeterChatClient>());

    private static UserPlanChatClient CreatePlans(IChatClient inner, IServiceProvider services, PromptOpsOptionsSnapshot snapshot, UserPlanOptions plans) =>
        new(inner, plans, snapshot.Store, services.GetService<IUserPlanResolver>(), snapshot.Options.Routing.Resolve(),
            snapshot.Options.BudgetStore.LeaseDuration, services.GetService<TimeProvider>());

    private static PromptOpsMetrics GetMetrics(IServiceProvider services) => PromptOpsOptionsSnapshot.GetMetrics(services);

    /// <summary>
    /// <paramref name="section"/> itself when there is no <paramref name="configure"/>; else a copy adjusted by it and checked
    /// (<see cref="OptionsValidationException"/> naming the bad value).
    /// </summary>
    private static T Adjust<T>(T section, Func<T, T> clone, Func<T, IEnumerable<string>> errors, Action<T>? configure)
    {
        if (configure is null) return section;
        var copy = clone(section);
        configure(copy);
        var problems = errors(copy).ToList();
        if (problems.Count > 0) throw new OptionsValidationException(PromptOpsOptions.SectionName, typeof(PromptOpsOptions), problems);
        return copy;
    }
}
