using PromptOps.Caching;

namespace PromptOps.Usage;

/// <summary>How a call ended.</summary>
public enum UsageOutcome
{
    /// <summary>An answer was returned (from the provider or a cache).</summary>
    Success = 0,

    /// <summary>The call threw.</summary>
    Failed = 1,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled = 2,

    /// <summary>
    /// PromptOps refused the call before it reached the provider: it threw a
    /// <see cref="Budgets.PromptOpsLimitException"/> (a budget, a plan limit, a rate limit). Costs nothing.
    /// </summary>
    Refused = 3,
}

/// <summary>What is unusual about a <see cref="UsageRecord"/>'s numbers.</summary>
[Flags]
public enum UsageAnomalies
{
    /// <summary>Nothing: the counts are the provider's.</summary>
    None = 0,

    /// <summary>
    /// The response reported impossible token counts (negative, above <see cref="UsageMeterChatClient.MaxPlausibleTokens"/>,
    /// or more cached than total input tokens); the meter clamped them into range (negative → 0, too large → the maximum,
    /// cached → at most the input) and priced the clamped counts. The record's tokens and cost are not the provider's.
    /// </summary>
    TokensClamped = 1,

    /// <summary>
    /// The response carried no usage (a provider or proxy that does not report it, a stream that ended or was abandoned
    /// before its usage update): the meter estimated the tokens — input with <see cref="Tokens.RequestTokens.Count"/>, output
    /// with the model's token counter on the response text — and priced the estimate. Never a silent $0; reports show
    /// the estimated part of the cost apart.
    /// </summary>
    Estimated = 2,

    /// <summary>
    /// The provider cut an answer of this call off at the output-token limit (<c>ChatFinishReason.Length</c>): the answer
    /// returned (or thrown as <see cref="PromptTruncatedException"/>) is partial, or a first, cut-off answer was asked
    /// again with a larger limit (<see cref="Truncation.TruncationChatClient"/>; the record's tokens and cost add up both).
    /// </summary>
    Truncated = 4,

    /// <summary>
    /// A reply of this call did not parse or validate as the caller reads it (<see cref="PromptOpsMetadata.ReplyValidator"/>:
    /// an enum label, a yes/no, a number, JSON of the result type). It was asked again one tier up when escalation allows
    /// (<see cref="UsageRecord.Escalations"/>, <see cref="UsageRecord.Attempts"/>); when no tier's reply validated, the caller
    /// got <see cref="PromptReplyException"/>.
    /// </summary>
    ReplyInvalid = 8,

    /// <summary>
    /// An answer of this call was cut off and asked again with a larger limit (<see cref="Truncation.TruncationChatClient"/>,
    /// policy Retry): one provider call more than the record's attempts. Reports count it in the provider calls. (A call
    /// whose answers were retried on two escalation tiers is counted once: a lower bound.)
    /// </summary>
    RetriedLonger = 16,
}

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
