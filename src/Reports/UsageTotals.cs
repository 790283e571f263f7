using PromptOps.Caching;
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

/// <summary>Adds records up into a <see cref="UsageTotals"/> (mutable, single pass, no allocation per record).</summary>
internal sealed class TotalsBuilder
{
    private long _requests, _succeeded, _failed, _refused, _cancelled, _hits, _input, _cached, _output, _unpriced, _estimated, _truncated;
    private long _providerCalls, _billedInput, _billedOutput, _escalations;
    private decimal _cost, _saved, _estimatedCost;

    public decimal Cost => _cost;

    public long Requests => _requests;

    public void Add(UsageRecord r)
    {
        _requests++;
        switch (r.Outcome)
        {
            case UsageOutcome.Success: _succeeded++; break;
            case UsageOutcome.Failed: _failed++; break;
            case UsageOutcome.Refused: _refused++; break;
            case UsageOutcome.Cancelled: _cancelled++; break;
        }

        if (r.CacheLayer != CacheLayer.None && r.Outcome == UsageOutcome.Success) _hits++;
        _input += r.InputTokens;
        _cached += r.CachedInputTokens;
        _output += r.OutputTokens;
        if (r.CostUsd is { } c) _cost += c;
        else _unpriced++;
        if (r.CostSavedUsd is { } s) _saved += s;
        if ((r.Anomalies & UsageAnomalies.Estimated) != 0)
        {
            _estimated++;
            if (r.CostUsd is { } e) _estimatedCost += e;
        }
        if ((r.Anomalies & UsageAnomalies.Truncated) != 0) _truncated++;
        AddCalls(r);
    }

    /// <summary>Provider calls, billed tokens and escalations: what reached the provider, apart from what a cache served.</summary>
    private void AddCalls(UsageRecord r)
    {
        _escalations += r.Escalations;
        if (r.CacheLayer != CacheLayer.None) return;
        _billedInput += r.InputTokens;
        _billedOutput += r.OutputTokens;
        if (r.Outcome is UsageOutcome.Success or UsageOutcome.Failed) _providerCalls += 1 + Math.Max(0, r.Escalations) + ((r.Anomalies & UsageAnomalies.RetriedLonger) != 0 ? 1 : 0);
    }

    public UsageTotals Build() => _requests == 0 ? UsageTotals.Empty : new UsageTotals
    {
        Requests = _requests,
        Succeeded = _succeeded,
        Failed = _failed,
        Refused = _refused,
        Cancelled = _cancelled,
        CacheHits = _hits,
        InputTokens = _input,
        CachedInputTokens = _cached,
        OutputTokens = _output,
        CostUsd = _cost,
        CostSavedUsd = _saved,
        UnpricedRequests = _unpriced,
        EstimatedCostUsd = _estimatedCost,
        EstimatedRequests = _estimated,
        Truncated = _truncated,
        ProviderCalls = _providerCalls,
        BilledInputTokens = _billedInput,
        BilledOutputTokens = _billedOutput,
        Escalations = _escalations,
    };
}
