using PromptOps.Caching;
using PromptOps.Usage;

namespace PromptOps.Reports;

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
