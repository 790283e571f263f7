using PromptOps.Caching;

namespace PromptOps.Usage;

/// <summary>One call, as the usage meter saw it. Persisted by <see cref="IUsageSink"/> implementations.</summary>
public sealed record UsageRecord
{
    /// <summary>When the call started (UTC).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The prompt id from the metadata, if any.</summary>
    public string? PromptId { get; init; }

    /// <summary>The prompt version from the metadata, if any.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>The task from the metadata, if any.</summary>
    public string? Task { get; init; }

    /// <summary>
    /// The application endpoint or feature that made the call: <see cref="PromptOpsMetadata.Endpoint"/>, else the
    /// <c>http.route</c> tag of the current <see cref="System.Diagnostics.Activity"/> (or a parent), else the prompt id.
    /// </summary>
    public string? Endpoint { get; init; }

    /// <summary>The end user from the metadata, if any.</summary>
    public string? UserId { get; init; }

    /// <summary>The tenant from the metadata or the ambient <see cref="PromptOpsContext.TenantId"/>, if any (ledger schema 4).</summary>
    public string? TenantId { get; init; }

    /// <summary>The conversation (<see cref="PromptOpsMetadata.ConversationId"/>, else <c>ChatOptions.ConversationId</c>), if any (ledger schema 4).</summary>
    public string? ConversationId { get; init; }

    /// <summary>The model that answered (the response's model id, else the requested one).</summary>
    public string? ModelId { get; init; }

    /// <summary>The tier the request was routed by, if any (<c>fast_cheap</c>, …).</summary>
    public string? Tier { get; init; }

    /// <summary>Input tokens, including <see cref="CachedInputTokens"/>.</summary>
    public long InputTokens { get; init; }

    /// <summary>Input tokens the provider served from its prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Output tokens (including reasoning tokens).</summary>
    public long OutputTokens { get; init; }

    /// <summary>
    /// Input tokens written to the provider's prompt cache (part of <see cref="InputTokens"/>; priced at the model's
    /// cache-write price). Read from <see cref="Microsoft.Extensions.AI.UsageDetails.AdditionalCounts"/> (see
    /// <see cref="Pricing.ProviderUsage.CacheWriteKeys"/>). Stored in the SQLite ledger from schema version 3.
    /// </summary>
    public long CacheWriteInputTokens { get; init; }

    /// <summary>
    /// Reasoning tokens (part of <see cref="OutputTokens"/>, billed as output), from
    /// <see cref="Microsoft.Extensions.AI.UsageDetails.ReasoningTokenCount"/>. Stored in the SQLite ledger from schema version 3.
    /// </summary>
    public long ReasoningTokens { get; init; }

    /// <summary>USD spent on this call: 0 for a cache hit, null when the model has no price.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>USD a cache hit avoided (what the original call cost): 0 for a provider call, null when unpriced.</summary>
    public decimal? CostSavedUsd { get; init; }

    /// <summary>Where the answer came from.</summary>
    public CacheLayer CacheLayer { get; init; }

    /// <summary>Wall-clock time of the call.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>How the call ended.</summary>
    public UsageOutcome Outcome { get; init; }

    /// <summary>The exception type when <see cref="Outcome"/> is <see cref="UsageOutcome.Failed"/> or <see cref="UsageOutcome.Refused"/>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>The limit that refused the call (<see cref="Budgets.PromptOpsLimitException.LimitName"/>) when <see cref="Outcome"/> is <see cref="UsageOutcome.Refused"/>.</summary>
    public string? LimitName { get; init; }

    /// <summary>True for a streamed response.</summary>
    public bool Streaming { get; init; }

    /// <summary>True when the model was in the price catalogue.</summary>
    public bool IsPriced { get; init; }

    /// <summary>What is unusual about this record (<see cref="UsageAnomalies.TokensClamped"/>, <see cref="UsageAnomalies.Truncated"/>); <see cref="UsageAnomalies.None"/> normally.</summary>
    public UsageAnomalies Anomalies { get; init; }

    /// <summary>
    /// For a cascaded call, every level tried, in order (the last one answered; see <see cref="Routing.CascadeAttempt"/>);
    /// <see cref="CostUsd"/> and the token counts then add up the attempts the provider answered. Null otherwise.
    /// </summary>
    public IReadOnlyList<Routing.CascadeAttempt>? Attempts { get; init; }

    /// <summary>The time to live the answer of this call was stored in the response cache with; null when it was not stored.</summary>
    public TimeSpan? CacheTtl { get; init; }

    /// <summary>Why the answer was stored with <see cref="CacheTtl"/> (for example the prompt's TTL, or a shorter one for a time-sensitive request); null when not stored.</summary>
    public string? CacheTtlReason { get; init; }

    /// <summary>How many times this call moved to a higher tier (cascade levels after the first, or retries of a reply that did not validate); 0 normally.</summary>
    public int Escalations { get; init; }
}
