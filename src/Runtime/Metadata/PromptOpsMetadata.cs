using PromptOps.Knowledge;

namespace PromptOps;

/// <summary>
/// What PromptOps knows about one request: which prompt, which version of it, the task, the tier, the cache
/// TTL and scope, and the user. Generated clients set it; raw <c>IChatClient</c> callers may set it with
/// <see cref="ChatOptionsPromptOpsExtensions.WithPromptOps(Microsoft.Extensions.AI.ChatOptions, PromptOpsMetadata)"/>.
/// Immutable, so one instance can be shared by every call of a prompt.
/// </summary>
public sealed record PromptOpsMetadata
{
    /// <summary>A stable name of the prompt (the generator uses <c>Namespace.Type.Method</c>).</summary>
    public string? PromptId { get; init; }

    /// <summary>A hash of the prompt's templates and settings: changing the prompt changes the cache key.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>The task kind (<c>classification</c>, …); sets the tier when <see cref="Tier"/> is not set.</summary>
    public string? Task { get; init; }

    /// <summary>The routing tier; wins over the task's tier. An explicit <c>ChatOptions.ModelId</c> wins over both.</summary>
    public ModelTier? Tier { get; init; }

    /// <summary>The cache TTL; <see cref="CacheTtl.None"/> bypasses the cache. Null: the cache's default TTL.</summary>
    public CacheTtl? CacheTtl { get; init; }

    /// <summary>
    /// The cache scope (a user, a tenant): part of the cache key, so entries stored under one scope are never
    /// returned for another. Null: a shared entry.
    /// </summary>
    public string? CacheScope { get; init; }

    /// <summary>
    /// The semantic cache's similarity threshold for this prompt, in (0, 1]; null: <c>PromptOps:Cache:Semantic:Threshold</c>.
    /// Raise it for prompts where a near miss is costly; it never changes the exact cache key.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in (0, 1].</exception>
    public double? SemanticThreshold
    {
        get => _semanticThreshold;
        init
        {
            if (value is { } t && !(t > 0 && t <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(SemanticThreshold), t, "The semantic threshold is a cosine similarity in (0, 1].");
            }

            _semanticThreshold = value;
        }
    }

    private readonly double? _semanticThreshold;

    /// <summary>
    /// False keeps this prompt out of the semantic cache layer (the exact layers still apply); null or true: the
    /// layer applies when it is on (<c>PromptOps:Cache:Semantic:Enabled</c>). It never changes the exact cache key.
    /// </summary>
    public bool? SemanticCache { get; init; }

    /// <summary>The end user the call is made for (budgets, plans and usage reports key on it).</summary>
    public string? UserId { get; init; }

    /// <summary>The tenant the call is made for (tenant budgets key on it); null: the ambient <see cref="PromptOpsContext.TenantId"/>.</summary>
    public string? TenantId { get; init; }

    /// <summary>
    /// The application endpoint or feature the call serves (e.g. <c>POST /tickets/classify</c>, <c>support-chat</c>);
    /// the usage ledger's reports group cost by it. Null: the usage meter uses the <c>http.route</c> tag of the current
    /// <see cref="System.Diagnostics.Activity"/> or one of its parents (set by ASP.NET Core tracing instrumentation),
    /// else <see cref="PromptId"/>.
    /// </summary>
    public string? Endpoint { get; init; }

    /// <summary>
    /// The conversation the call belongs to (the usage ledger keeps it, so each turn's input tokens show how a chat's
    /// history grows); null: <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/>.
    /// </summary>
    public string? ConversationId { get; init; }

    /// <summary>
    /// False marks the call as part of a non-essential feature, which the budget's action
    /// <see cref="Budgets.BudgetActionKind.PauseNonEssential"/> pauses while the monthly pace is hot. Null or true: essential.
    /// </summary>
    public bool? Essential { get; init; }

    /// <summary>
    /// The quality (0–100, see <see cref="ModelQuality"/>) the answer needs. When set, routing picks the cheapest
    /// candidate model whose score meets it (see <see cref="BudgetSensitivity"/>) instead of the tier's model.
    /// </summary>
    public int? MinQuality { get; init; }

    /// <summary>How strongly price weighs when <see cref="MinQuality"/> is set; null: <see cref="Knowledge.BudgetSensitivity.High"/>.</summary>
    public BudgetSensitivity? BudgetSensitivity { get; init; }

    /// <summary>
    /// The call is provider batch work (e.g. OpenAI's or Anthropic's Batch API): the usage meter applies the price
    /// catalogue's batch discount.
    /// </summary>
    public bool ProviderBatch { get; init; }

    /// <summary>
    /// How many leading characters of the prompt's text — the system text, then the first user message — are the same on
    /// every call (generated methods set it: the template up to its first placeholder). The provider prompt cache placement
    /// (<see cref="Caching.Provider.ProviderPromptCacheHandler"/>) marks the end of this prefix for Anthropic's cache. Null:
    /// the whole system text (and nothing after it) is taken as fixed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? StaticPrefixLength
    {
        get => _staticPrefixLength;
        init
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(StaticPrefixLength), value, "The static prefix length cannot be negative.");
            _staticPrefixLength = value;
        }
    }

    private readonly int? _staticPrefixLength;

    /// <summary>
    /// The call can wait for the provider's batch API (up to a day, at the batch discount): with batching registered
    /// (<c>services.AddPromptOpsBatching(…)</c>), the batching layer queues it into a provider batch instead of calling the
    /// provider, and the returned task completes when the batch has answered. Set with
    /// <see cref="DeferrableChatOptionsExtensions.Deferrable(Microsoft.Extensions.AI.ChatOptions, string?)"/>. The usage meter
    /// prices the call at the batch rate when the batch answered it (<see cref="PromptOpsResponseFeatures.ProviderBatched"/>);
    /// a deferrable call made at once (no batching registered) is priced in full.
    /// </summary>
    public bool Deferrable { get; init; }

    /// <summary>
    /// The caller's name for a deferrable call (a ticket id, a row key): stored with the queued item and given back to the
    /// results handler (<see cref="Routing.Batching.IProviderBatchResultHandler"/>) when the result arrives after the process
    /// that asked has stopped. Null: the handler sees only the item's id.
    /// </summary>
    public string? DeferralKey { get; init; }

    /// <summary>
    /// What to do when the reply is cut off at the output-token limit (<c>[Prompt(OnTruncation = …)]</c>); null: the
    /// <c>PromptOps:Truncation</c> options decide (<see cref="StructuredReply"/> picks which of their policies).
    /// </summary>
    public TruncationPolicy? OnTruncation { get; init; }

    /// <summary>
    /// The caller reads the reply as a value — an enum, bool, number or JSON (generated methods set it) — so a cut-off
    /// reply usually cannot be read: <c>PromptOps:Truncation:StructuredPolicy</c> applies (retry, by default).
    /// </summary>
    public bool StructuredReply { get; init; }

    /// <summary>
    /// Checks a reply the way the caller will read it: null when it parses and validates, else why not (generated methods
    /// with an enum, bool, number or JSON result set it). With it, a reply that does not validate is asked again one tier
    /// up (<see cref="Routing.EscalationChatClient"/>, <c>PromptOps:Escalation</c>) and the ledger flags it
    /// (<see cref="Usage.UsageAnomalies.ReplyInvalid"/>). Never part of the cache key.
    /// </summary>
    public Func<Microsoft.Extensions.AI.ChatResponse, string?>? ReplyValidator { get; init; }

    /// <summary>
    /// Judges this request's answers in a cascade (<see cref="Routing.CascadeChatClient"/>): the cheapest level first, one
    /// level up while the evaluator rejects the answer. Null: <see cref="Routing.CascadeOptions.DefaultEvaluator"/>, if
    /// any. Set it with <see cref="Routing.CascadeExtensions.WithCascade"/>. The cascade takes it off the request before
    /// the layers below see it (reply escalation inside a cascade level then works as without one); never part of the
    /// cache key.
    /// </summary>
    public Routing.ICascadeEvaluator? CascadeEvaluator { get; init; }

    /// <summary>
    /// The most output tokens a request may ask for, set by the user plans layer (the plan's <c>MaxOutputTokens</c>), so
    /// that a truncation retry never asks for more than the plan allows. Null: no cap but the truncation options'.
    /// </summary>
    internal int? OutputTokenCap { get; init; }

    /// <summary>The tier this request routes to: <see cref="Tier"/>, else the task's tier, else null.</summary>
    public ModelTier? EffectiveTier => Tier ?? (PromptTasks.TryGet(Task, out var t) ? t.Tier : null);
}
