using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// What a set of calls used and cost. <see cref="CostUsd"/> sums the priced calls only: when
/// <see cref="UnpricedRequests"/> is not zero, the true cost is higher (an unknown model is never counted as free).
/// </summary>
public sealed record UsageTotals
{
    /// <summary>No calls.</summary>
    public static readonly UsageTotals Empty = new();

    /// <summary>Calls, whatever their outcome.</summary>
    public long Requests { get; init; }

    /// <summary>Calls that returned an answer (from the provider or a cache).</summary>
    public long Succeeded { get; init; }

    /// <summary>Calls that threw.</summary>
    public long Failed { get; init; }

    /// <summary>Calls PromptOps refused (budgets, plans, rate limits).</summary>
    public long Refused { get; init; }

    /// <summary>Calls the caller cancelled.</summary>
    public long Cancelled { get; init; }

    /// <summary>Answers served by a cache layer.</summary>
    public long CacheHits { get; init; }

    /// <summary>Input tokens billed or served from a cache, including <see cref="CachedInputTokens"/>.</summary>
    public long InputTokens { get; init; }

    /// <summary>Input tokens the provider served from its prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>USD spent (priced calls only).</summary>
    public decimal CostUsd { get; init; }

    /// <summary>USD that cache hits avoided.</summary>
    public decimal CostSavedUsd { get; init; }

    /// <summary>Calls whose model had no price (their cost is not in <see cref="CostUsd"/>).</summary>
    public long UnpricedRequests { get; init; }

    /// <summary>
    /// The part of <see cref="CostUsd"/> priced from estimated tokens (records flagged <see cref="UsageAnomalies.Estimated"/>:
    /// the response carried no usage); shown apart by the reports.
    /// </summary>
    public decimal EstimatedCostUsd { get; init; }

    /// <summary>Calls whose tokens were estimated (<see cref="UsageAnomalies.Estimated"/>).</summary>
    public long EstimatedRequests { get; init; }

    /// <summary>
    /// Calls whose answer the provider cut off at the output-token limit (<see cref="UsageAnomalies.Truncated"/>: returned
    /// partial, thrown, or asked again with a larger limit). Many of them for one prompt mean its limit is too low.
    /// </summary>
    public long Truncated { get; init; }

    /// <summary>
    /// Calls that reached the provider: answered or failed, not by a cache (refused requests never reach it; cancelled ones
    /// are left out, as the ledger cannot tell whether the provider saw them); a call that escalated counts once per level
    /// tried (1 + <see cref="UsageRecord.Escalations"/>), plus one for a cut-off answer asked again with a larger limit (<see cref="UsageAnomalies.RetriedLonger"/>).
    /// </summary>
    public long ProviderCalls { get; init; }

    /// <summary>Input tokens the provider billed: <see cref="InputTokens"/> of the calls not answered by a cache.</summary>
    public long BilledInputTokens { get; init; }

    /// <summary>Output tokens the provider billed: <see cref="OutputTokens"/> of the calls not answered by a cache.</summary>
    public long BilledOutputTokens { get; init; }

    /// <summary>Input tokens of the answers served from a cache (the original call's; not billed again).</summary>
    public long CacheServedInputTokens => InputTokens - BilledInputTokens;

    /// <summary>Output tokens of the answers served from a cache (the original call's; not billed again).</summary>
    public long CacheServedOutputTokens => OutputTokens - BilledOutputTokens;

    /// <summary>Escalations of all calls (<see cref="UsageRecord.Escalations"/>: cascade levels after the first, retries of a reply that did not validate).</summary>
    public long Escalations { get; init; }

    /// <summary>Cache hits ÷ requests; 0 without requests.</summary>
    public decimal CacheHitRate => Requests == 0 ? 0m : (decimal)CacheHits / Requests;

    /// <summary>Cost ÷ requests; null without requests.</summary>
    public decimal? CostPerRequestUsd => Requests == 0 ? null : CostUsd / Requests;
}
