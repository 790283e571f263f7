using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// A ledger re-priced as if every call had gone to one baseline model, without PromptOps (no routing, no cache, no plans
/// or budget), and the saving split by lever: what each call cost against what the baseline would have paid for it.
/// Derived from the ledger alone, so it states what it assumes (<see cref="Assumptions"/>); the lever rows add up to
/// <see cref="SavedUsd"/> exactly. Calls whose own model has no price are left out of both sides (<see cref="UnpricedCalls"/>).
/// </summary>
/// <param name="BaselineModel">The catalogue's id of the baseline model.</param>
/// <param name="BaselineOutputTokens">The output tokens assumed per baseline answer; null: each call's own (the same output limits).</param>
/// <param name="BaselineUsd">What the baseline would have paid for every compared request, refused ones included.</param>
/// <param name="SpentUsd">What the compared calls cost.</param>
/// <param name="RoutingUsd">Each answer's tokens at the baseline model's price minus at the price of the model that answered (the original call's, for a cache hit).</param>
/// <param name="LimitsUsd">The baseline's assumed output length minus each call's, at the baseline's price; 0 when <paramref name="BaselineOutputTokens"/> is null.</param>
/// <param name="ExactCacheUsd">What exact cache hits (memory, Redis, joined in-flight calls) saved (<see cref="UsageRecord.CostSavedUsd"/>).</param>
/// <param name="SemanticCacheUsd">What semantic cache hits saved (<see cref="UsageRecord.CostSavedUsd"/>).</param>
/// <param name="RefusalsUsd">Refused requests, each at the average baseline cost of a served call of its endpoint (of all served calls when the endpoint has none).</param>
/// <param name="Refused">Refused requests.</param>
/// <param name="Compared">Records compared (answered, failed and refused calls whose cost is known).</param>
/// <param name="UnpricedCalls">Calls left out because their model has no price.</param>
public sealed record BaselineComparison(
    string BaselineModel,
    long? BaselineOutputTokens,
    decimal BaselineUsd,
    decimal SpentUsd,
    decimal RoutingUsd,
    decimal LimitsUsd,
    decimal ExactCacheUsd,
    decimal SemanticCacheUsd,
    decimal RefusalsUsd,
    long Refused,
    long Compared,
    long UnpricedCalls)
{
    /// <summary>Baseline − spent.</summary>
    public decimal SavedUsd => BaselineUsd - SpentUsd;

    /// <summary>The saving as a share of the baseline (0 when the baseline is 0).</summary>
    public decimal SavedShare => BaselineUsd == 0 ? 0 : SavedUsd / BaselineUsd;

    /// <summary>What the figures assume, one sentence each.</summary>
    public IReadOnlyList<string> Assumptions =>
    [
        $"Baseline: every request to {BaselineModel}, no cache, no plans or budget; priced with the same catalogue, including the provider's prompt caching the calls reported.",
        BaselineOutputTokens is { } n
            ? $"Output: the baseline writes {n:N0} tokens per answer (a model without output limits); the calls wrote what the ledger shows."
            : "Output: the baseline writes what each call wrote (the same output limits): a ledger cannot tell how long an answer without its limit would have been, so the output-limit lever is 0 here; --baseline-output-tokens N assumes N.",
        "Routing: the answer's tokens at the baseline's price minus at the answering model's (a cache hit: the original call's cost).",
        "Cache: what the ledger recorded each hit saved (CostSavedUsd); the hit's tokens at the baseline's price above that count as routing.",
        "Refusals: each refused request at the average baseline cost of a served call of the same endpoint (a refused call has no tokens).",
        "Compression: not derivable from a ledger (it records the tokens sent, not the prompt before compression).",
    ];
}
