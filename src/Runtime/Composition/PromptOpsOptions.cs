using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Plans;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Truncation;
using PromptOps.Usage;

namespace PromptOps;

/// <summary>All PromptOps runtime options (configuration section <c>PromptOps</c>).</summary>
public sealed class PromptOpsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "PromptOps";

    /// <summary>Tier routing.</summary>
    public TierRoutingOptions Routing { get; set; } = new();

    /// <summary>The cascade (cheapest level first, escalate until an evaluator passes). Off unless <c>Cascade:Enabled</c>.</summary>
    public CascadeOptions Cascade { get; set; } = new();

    /// <summary>Fallback across providers and retries. Off unless <c>Fallback:Enabled</c>.</summary>
    public FallbackOptions Fallback { get; set; } = new();

    /// <summary>The response cache.</summary>
    public PromptCacheOptions Cache { get; set; } = new();

    /// <summary>Validate, then escalate: replies of typed results that do not validate are asked again one tier up (<c>PromptOps:Escalation</c>).</summary>
    public EscalationOptions Escalation { get; set; } = new();

    /// <summary>What to do with answers cut off at the output-token limit (<c>PromptOps:Truncation</c>).</summary>
    public TruncationOptions Truncation { get; set; } = new();

    /// <summary>The price catalogue.</summary>
    public PricingOptions Pricing { get; set; } = new();

    /// <summary>The Redis connection (L2 cache).</summary>
    public RedisOptions Redis { get; set; } = new();

    /// <summary>The usage ledger (<c>PromptOps:Ledger</c>): set <see cref="LedgerOptions.SqlitePath"/> to persist every call to SQLite.</summary>
    public LedgerOptions Ledger { get; set; } = new();

    /// <summary>The budget breaker (off until a limit is set).</summary>
    public CostBudgetOptions Budget { get; set; } = new();

    /// <summary>User plans and rate limits (off until <see cref="UserPlanOptions.Enabled"/>).</summary>
    public UserPlanOptions Plans { get; set; } = new();

    /// <summary>Where budgets and plan quotas are counted (memory, or Redis when configured).</summary>
    public BudgetStoreOptions BudgetStore { get; set; } = new();

    /// <summary>Every problem with these options, each naming the bad value; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors() =>
        [.. Routing.GetErrors(), .. Cache.GetErrors(), .. Truncation.GetErrors(), .. Pricing.GetErrors(), .. Redis.GetErrors(), .. Ledger.GetErrors(), .. Cascade.GetErrors(), .. Escalation.GetErrors(),
         .. Fallback.GetErrors(), .. Budget.GetErrors(), .. Plans.GetErrors(), .. BudgetStore.GetErrors()];

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every problem, if there is any.</summary>
    public void Validate()
    {
        var errors = GetErrors();
        if (errors.Count > 0) throw new OptionsValidationException(SectionName, typeof(PromptOpsOptions), errors);
    }

    /// <summary>A deep copy.</summary>
    internal PromptOpsOptions Clone() => new()
    {
        Routing = Routing.Clone(),
        Cache = Cache.Clone(),
        Truncation = Truncation.Clone(),
        Pricing = Pricing.Clone(),
        Redis = Redis.Clone(),
        Ledger = Ledger.Clone(),
        Cascade = Cascade.Clone(),
        Escalation = Escalation.Clone(),
        Fallback = Fallback.Clone(),
        Budget = Budget.Clone(),
        Plans = Plans.Clone(),
        BudgetStore = BudgetStore.Clone(),
    };
}
