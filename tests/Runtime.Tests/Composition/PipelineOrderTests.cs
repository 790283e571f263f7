using System.Reflection;
using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Plans;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Truncation;
using PromptOps.Usage;

namespace PromptOps.Tests.Composition;

/// <summary>
/// The order <c>UsePromptOps</c> relies on, checked on the built pipeline rather than left to prose: the meter outermost
/// (it sees cache hits and refusals), escalation just inside it, plans, budget actions and the cascade before tier routing,
/// the router before the cache (the cache keys on the routed model), truncation and the budget breaker inside the cache
/// (a retried whole answer is what is stored; a hit reserves nothing), truncation outside the breaker, fallback innermost.
/// </summary>
public class PipelineOrderTests
{
    private static readonly PropertyInfo InnerClient =
        typeof(DelegatingChatClient).GetProperty("InnerClient", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static readonly Type[] PromptOpsLayers =
    [
        typeof(UsageMeterChatClient), typeof(EscalationChatClient), typeof(UserPlanChatClient), typeof(BudgetActionChatClient), typeof(CascadeChatClient),
        typeof(TierRoutingChatClient), typeof(PromptCacheChatClient), typeof(TruncationChatClient), typeof(CostBudgetChatClient), typeof(global::PromptOps.Caching.Provider.ProviderPromptCacheChatClient), typeof(FallbackChatClient),
    ];

    /// <summary>The layers of <paramref name="client"/>, outermost first, down to the provider (through a fallback chain's primary).</summary>
    internal static List<Type> Walk(IChatClient client)
    {
        var layers = new List<Type>();
        for (var c = client; c is not null; c = c switch
             {
                 DelegatingChatClient d => (IChatClient?)InnerClient.GetValue(d),
                 FallbackChatClient f => f.Primary,
                 _ => null,
             })
        {
            layers.Add(c.GetType());
        }

        return layers;
    }

    /// <summary>Every broken invariant of <paramref name="layers"/> (outermost first), in words; empty when the order is right.</summary>
    internal static List<string> Violations(IReadOnlyList<Type> layers)
    {
        var errors = new List<string>();
        int At<T>() => layers.ToList().IndexOf(typeof(T));
        void Before<TOuter, TInner>(string why)
        {
            if (At<TOuter>() is var o and >= 0 && At<TInner>() is var i and >= 0 && o > i)
                errors.Add($"{typeof(TOuter).Name} must be outside {typeof(TInner).Name} ({why}).");
        }

        if (At<UsageMeterChatClient>() is > 0) errors.Add("UsageMeterChatClient must be outermost (it meters cache hits and refusals).");
        if (At<EscalationChatClient>() is var e and >= 0 && At<UsageMeterChatClient>() is var m and >= 0 && e != m + 1)
            errors.Add("EscalationChatClient must be just inside the meter (one record holds every tier tried).");
        Before<UserPlanChatClient, TierRoutingChatClient>("plans pick the model before routing");
        Before<BudgetActionChatClient, TierRoutingChatClient>("a downgrade must reach the router");
        Before<CascadeChatClient, TierRoutingChatClient>("each cascade level is routed");
        Before<TierRoutingChatClient, PromptCacheChatClient>("the cache keys on the routed model and output limit");
        Before<PromptCacheChatClient, TruncationChatClient>("a retried whole answer is what is cached");
        Before<PromptCacheChatClient, CostBudgetChatClient>("a cache hit reserves nothing");
        Before<TruncationChatClient, CostBudgetChatClient>("a truncation retry is a call the budget reserves");
        Before<CostBudgetChatClient, global::PromptOps.Routing.Batching.DeferrableChatClient>("a deferred call is reserved until its batch answers");
        Before<global::PromptOps.Routing.Batching.DeferrableChatClient, FallbackChatClient>("a fallback's attempt timeout would abandon a call waiting for its batch");
        if (At<FallbackChatClient>() is var f and >= 0)
        {
            foreach (var inside in layers.Skip(f + 1).Where(PromptOpsLayers.Contains))
                errors.Add($"FallbackChatClient must be innermost, next to the provider: {inside.Name} is inside it (a retry would run it again).");
        }
        return errors;
    }

    [Fact]
    public void UsePromptOps_with_every_layer_on_keeps_the_order_invariants()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(o =>
        {
            o.Plans.Enabled = true;
            o.Cascade.Enabled = true;
            o.Fallback.Enabled = true;
            o.Budget.MonthlyBudgetUsd = 30m;
            o.Budget.DowngradeWhenCritical = true;
        }).Build();
        var layers = Walk(client);

        Assert.Equal([.. PromptOpsLayers, typeof(RecordingChatClient)], layers);
        Assert.Empty(Violations(layers));
    }

    [Fact]
    public async Task UsePromptOps_with_batching_registered_puts_deferrable_calls_inside_the_budget_and_outside_the_fallback()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddPromptOpsBatching(o => { o.ApiKey = "test"; o.BaseAddress = new Uri("http://127.0.0.1:9/"); });
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services); // the scheduler is IAsyncDisposable only
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(o =>
        {
            o.Fallback.Enabled = true;
            o.Budget.DailyLimitUsd = 1m;
        }).Build(provider);
        var layers = Walk(client);

        var deferrable = layers.IndexOf(typeof(global::PromptOps.Routing.Batching.DeferrableChatClient));
        Assert.True(deferrable > layers.IndexOf(typeof(CostBudgetChatClient)) && deferrable < layers.IndexOf(typeof(FallbackChatClient)), string.Join(" > ", layers.Select(t => t.Name)));
        Assert.Empty(Violations(layers));
        Assert.Contains("DeferrableChatClient must be outside FallbackChatClient (a fallback's attempt timeout would abandon a call waiting for its batch).",
            Violations([typeof(FallbackChatClient), typeof(global::PromptOps.Routing.Batching.DeferrableChatClient)]));
    }

    [Fact]
    public void UsePromptOps_with_the_defaults_keeps_the_order_invariants()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps().Build();
        var layers = Walk(client);

        Assert.Equal(typeof(RecordingChatClient), layers[^1]);
        Assert.Contains(typeof(PromptCacheChatClient), layers);
        Assert.Empty(Violations(layers));
    }

    [Fact]
    public void A_pipeline_with_the_cache_before_the_router_is_caught()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient())
            .UseUsageMeter().UsePromptCache().UseTierRouting().UseTruncationPolicy()
            .Build();

        Assert.Equal(["TierRoutingChatClient must be outside PromptCacheChatClient (the cache keys on the routed model and output limit)."], Violations(Walk(client)));
    }

    [Fact]
    public void A_fallback_outside_the_budget_breaker_is_caught()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient())
            .UseUsageMeter().UseTierRouting().UsePromptCache().UseFallback().UseCostBudget(o => o.DailyLimitUsd = 1m)
            .Build();

        Assert.Equal(["FallbackChatClient must be innermost, next to the provider: CostBudgetChatClient is inside it (a retry would run it again)."], Violations(Walk(client)));
    }

    [Fact]
    public void A_pipeline_with_the_meter_inside_or_the_breaker_outside_the_cache_is_caught()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient())
            .UseTierRouting().UseUsageMeter().UseCostBudget(o => o.DailyLimitUsd = 1m).UsePromptCache()
            .Build();

        var errors = Violations(Walk(client));
        Assert.Contains(errors, e => e.StartsWith("UsageMeterChatClient must be outermost", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("PromptCacheChatClient must be outside CostBudgetChatClient", StringComparison.Ordinal));
    }
}
