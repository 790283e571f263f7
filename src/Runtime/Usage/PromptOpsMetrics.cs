using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using PromptOps.Caching;

namespace PromptOps.Usage;

/// <summary>
/// The PromptOps instruments, on the meter named <see cref="MeterName"/>. They hold only what Microsoft.Extensions.AI's
/// <c>UseOpenTelemetry()</c> does not: PromptOps leaves <c>gen_ai.client.token.usage</c> and
/// <c>gen_ai.client.operation.duration</c> to it (put it inside <c>UsePromptOps()</c>, next to the provider, so that they
/// count provider calls and billed tokens only; see <see cref="PromptOpsChatClientBuilderExtensions.UsePromptOps"/>), and
/// each request also gets a <c>promptops.chat</c> span on the activity source <see cref="ActivitySourceName"/>
/// (cost, saved cost, cache layer, budget and plan outcomes, escalations as <c>promptops.*</c> attributes).
/// <list type="bullet">
/// <item><c>promptops.chat.requests</c> (counter, <c>{request}</c>): every request through the usage meter, cache hits and
/// refusals included, tagged <c>promptops.outcome</c> (<c>success</c>, <c>refused</c>, <c>cancelled</c>, <c>failed</c>),
/// <c>promptops.cache.layer</c> (<c>l1</c>, <c>l2</c>, <c>in_flight</c>, <c>semantic</c>, <c>none</c>: the provider
/// answered), <c>promptops.prompt_id</c>, <c>promptops.tier</c>, and when they apply <c>promptops.limit</c> (the refusing
/// limit), <c>promptops.budget.outcome</c> (<c>refused</c>, <c>downgraded</c>), <c>promptops.plan.outcome</c>
/// (<c>refused</c>) and <c>error.type</c>.</item>
/// <item><c>promptops.cost.spent</c> (counter, <c>USD</c>): what provider calls cost, tagged model, tier and prompt id.</item>
/// <item><c>promptops.cost.saved</c> (counter, <c>USD</c>): what cache hits would have cost, tagged with the cache layer.</item>
/// <item><c>promptops.cache.lookups</c> (counter): tagged <c>promptops.cache.layer</c> (<c>l1</c>, <c>l2</c>,
/// <c>in_flight</c>, <c>semantic</c>, <c>none</c> for a bypass of the whole cache) and <c>promptops.cache.result</c> (<c>hit</c>, <c>miss</c>, <c>bypass</c>).</item>
/// <item><c>promptops.cache.ttl_extended</c> (counter, <c>{hit}</c>): hits that moved their entry's expiry later (the TTL
/// optimiser, <see cref="Caching.AdaptiveTtlOptions"/>), tagged <c>promptops.cache.layer</c> (<c>l1</c>, <c>l2</c>).</item>
/// <item><c>promptops.requests.unpriced</c> (counter): calls to a model the price catalogue does not know.</item>
/// <item><c>promptops.ledger.dropped</c> (counter, <c>{record}</c>): usage records a persistent ledger sink did not store,
/// tagged <c>promptops.ledger.reason</c> (<c>queue_full</c>, <c>disposed</c>, <c>write_failed</c>).</item>
/// <item><c>promptops.responses.truncated</c> (counter, <c>{response}</c>): calls whose answer the provider cut off at the
/// output-token limit, tagged <c>promptops.prompt_id</c>, <c>gen_ai.response.model</c> and <c>promptops.truncation.action</c>
/// (<c>returned</c>, <c>retried</c>, <c>thrown</c>).</item>
/// <item><c>promptops.replies.invalid</c> (counter, <c>{reply}</c>): replies that did not parse or validate as the caller reads
/// them, tagged <c>promptops.prompt_id</c>, <c>gen_ai.response.model</c> and <c>promptops.tier</c>.</item>
/// <item><c>promptops.escalations</c> (counter, <c>{escalation}</c>): requests asked again one tier up, tagged
/// <c>promptops.prompt_id</c>, <c>promptops.escalation.from_tier</c>, <c>promptops.escalation.to_tier</c> and
/// <c>promptops.escalation.reason</c> (<c>reply_invalid</c>).</item>
/// <item><c>promptops.cache.semantic.bypasses</c> (counter): requests the semantic layer did not consider, tagged
/// <c>promptops.cache.semantic.reason</c> (<c>not_user_text</c>, <c>disabled_for_prompt</c>, <c>unrepresentable</c>, <c>embedding_failed</c>, <c>time_sensitive</c>).</item>
/// <item><c>promptops.cache.semantic.rejections</c> (counter): candidates above the threshold that a guard refused,
/// tagged <c>promptops.cache.semantic.reason</c> (<c>negation</c>, <c>opposite</c>, <c>numbers</c>, <c>names</c>).</item>
/// <item><c>promptops.cache.semantic.verifications</c> (counter): semantic hits checked against the provider, tagged
/// <c>promptops.cache.semantic.result</c> (<c>agree</c>, <c>disagree</c>).</item>
/// <item><c>promptops.cache.semantic.false_hit_rate</c> (observable gauge, ratio): disagreeing / verified hits since
/// the process started; nothing is reported before the first verification.</item>
/// </list>
/// </summary>
public sealed class PromptOpsMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (<c>AddMeter("PromptOps")</c>).</summary>
    public const string MeterName = "PromptOps";

    /// <summary>
    /// The activity source of the per-request <c>promptops.chat</c> span (<c>AddSource("PromptOps")</c>); its attributes are
    /// listed in the README's telemetry section and in docs/runtime.md.
    /// </summary>
    public const string ActivitySourceName = "PromptOps";

    private static readonly Lazy<PromptOpsMetrics> SharedInstance = new(() => new PromptOpsMetrics(meterFactory: null));
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _semanticVerified;
    private long _budgetOverReservations;
    private long _semanticFalseHits;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (DI), or on an own meter when null.</summary>
    public PromptOpsMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(MeterName);
        }
        else
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }

        Requests = _meter.CreateCounter<long>("promptops.chat.requests", "{request}", "Requests through the PromptOps pipeline, by outcome, cache layer and refusing limit.");
        CostSpent = _meter.CreateCounter<double>("promptops.cost.spent", "USD", "Cost of provider calls.");
        CostSaved = _meter.CreateCounter<double>("promptops.cost.saved", "USD", "Cost that cache hits avoided.");
        CacheLookups = _meter.CreateCounter<long>("promptops.cache.lookups", "{lookup}", "Cache lookups per layer and result.");
        Unpriced = _meter.CreateCounter<long>("promptops.requests.unpriced", "{request}", "Calls to models without a price.");
        LedgerDropped = _meter.CreateCounter<long>("promptops.ledger.dropped", "{record}", "Usage records a ledger sink did not store.");
        Truncated = _meter.CreateCounter<long>("promptops.responses.truncated", "{response}", "Answers cut off at the output-token limit.");
        InvalidReplies = _meter.CreateCounter<long>("promptops.replies.invalid", "{reply}", "Replies that did not parse or validate as the caller reads them.");
        Escalations = _meter.CreateCounter<long>("promptops.escalations", "{escalation}", "Requests asked again one tier up.");
        SemanticBypasses = _meter.CreateCounter<long>("promptops.cache.semantic.bypasses", "{request}", "Requests the semantic cache layer did not consider.");
        SemanticRejections = _meter.CreateCounter<long>("promptops.cache.semantic.rejections", "{candidate}", "Semantic candidates refused by a guard.");
        SemanticVerifications = _meter.CreateCounter<long>("promptops.cache.semantic.verifications", "{verification}", "Semantic hits checked against the provider.");
        CacheTtlExtensions = _meter.CreateCounter<long>("promptops.cache.ttl_extended", "{hit}", "Cache hits that extended their entry's life (the TTL optimiser), per layer.");
        BudgetSettles = _meter.CreateCounter<long>("promptops.budget.settles", "{call}", "Budget settles by how the cost was known (reported, estimated, worst_case, released).");
        BudgetAlerts = _meter.CreateCounter<long>("promptops.budget.alerts", "{alert}", "Budget alerts raised by this instance (scope, window, threshold).");
        BudgetOverReservations = _meter.CreateCounter<double>("promptops.budget.over_reservation", "USD", "Cost above what the budget reserved for a call (charged in full).");
        SemanticFalseHitRateGauge = _meter.CreateObservableGauge("promptops.cache.semantic.false_hit_rate", ObserveFalseHitRate, "1",
            "Share of verified semantic hits whose cached answer disagreed with the provider's.");
    }

    /// <summary>The process-wide instance used when no DI container supplies one.</summary>
    internal static PromptOpsMetrics Shared => SharedInstance.Value;

    internal Counter<long> Requests { get; }

    internal Counter<double> CostSpent { get; }

    internal Counter<double> CostSaved { get; }

    internal Counter<long> CacheLookups { get; }

    internal Counter<long> CacheTtlExtensions { get; }

    internal Counter<long> Unpriced { get; }

    internal Counter<long> LedgerDropped { get; }

    internal Counter<long> Truncated { get; }

    internal Counter<long> InvalidReplies { get; }

    internal Counter<long> Escalations { get; }

    internal Counter<long> SemanticBypasses { get; }

    internal Counter<long> SemanticRejections { get; }

    internal Counter<long> SemanticVerifications { get; }

    internal ObservableGauge<double> SemanticFalseHitRateGauge { get; }

    /// <summary>Semantic hits verified against the provider since this instance was created.</summary>
    public long SemanticVerified => Interlocked.Read(ref _semanticVerified);

    /// <summary>Verified semantic hits whose cached answer disagreed with the provider's (false hits).</summary>
    public long SemanticFalseHits => Interlocked.Read(ref _semanticFalseHits);

    /// <summary>The false-hit rate of verified semantic hits (<see cref="SemanticFalseHits"/> / <see cref="SemanticVerified"/>), or null before any.</summary>
    public double? SemanticFalseHitRate
    {
        get
        {
            var verified = SemanticVerified;
            return verified == 0 ? null : (double)SemanticFalseHits / verified;
        }
    }

    internal Counter<long> BudgetSettles { get; }

    internal Counter<double> BudgetOverReservations { get; }

    internal Counter<long> BudgetAlerts { get; }

    /// <summary>Budget actions taken and undone (<c>promptops.budget.actions</c>).</summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    internal Counter<long> BudgetActions => LazyInitializer.EnsureInitialized(ref _budgetActions, () => _meter.CreateCounter<long>("promptops.budget.actions", "{action}",
        "Budget actions taken or undone on this instance (tags: promptops.budget.action, promptops.budget.trigger, promptops.budget.action_state)."));

    private Counter<long>? _budgetActions;

    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    internal void BudgetAction(Budgets.BudgetActionKind action, Budgets.BudgetActionTrigger trigger, bool undone)
    {
        if (!BudgetActions.Enabled) return;
        BudgetActions.Add(1, new TagList
        {
            { "promptops.budget.action", action.ToString() },
            { "promptops.budget.trigger", trigger.ToString() },
            { "promptops.budget.action_state", undone ? "undone" : "taken" },
        });
    }

    internal void BudgetAlert(Budgets.BudgetAlert alert)
    {
        if (!BudgetAlerts.Enabled) return;
        BudgetAlerts.Add(1, new TagList
        {
            { "promptops.budget.scope", alert.Scope switch { Budgets.BudgetScope.Tenant => "tenant", Budgets.BudgetScope.User => "user", Budgets.BudgetScope.Prompt => "prompt", _ => "application" } },
            { "promptops.budget.window", alert.Window switch { Budgets.BudgetWindow.Hour => "hour", Budgets.BudgetWindow.Day => "day", _ => "month" } },
            { "promptops.budget.threshold", alert.ThresholdPercent },
            { "promptops.budget.alert", alert.Kind switch { Budgets.BudgetAlertKind.Anomaly => "anomaly", Budgets.BudgetAlertKind.Action => "action", _ => "threshold" } },
        });
    }

    /// <summary>Calls whose cost went above their reservation since this instance was created.</summary>
    public long BudgetOverReservationCount => Interlocked.Read(ref _budgetOverReservations);

    internal void BudgetSettled(Budgets.BudgetSettleOutcome outcome)
    {
        var name = Budgets.BudgetSettleOutcomes.Name(outcome);
        if (BudgetSettles.Enabled) BudgetSettles.Add(1, new KeyValuePair<string, object?>("promptops.budget.settle", name));
        PromptOpsActivity.Current?.SetTag(PromptOpsActivity.BudgetSettle, name);
    }

    internal void BudgetOverReservation(string? model, decimal aboveUsd)
    {
        Interlocked.Increment(ref _budgetOverReservations);
        if (BudgetOverReservations.Enabled) BudgetOverReservations.Add((double)aboveUsd, new KeyValuePair<string, object?>("gen_ai.request.model", model));
    }

    internal void TruncatedResponse(string? promptId, string? model, string action)
    {
        if (!Truncated.Enabled) return;
        Truncated.Add(1, new TagList
        {
            { "promptops.prompt_id", promptId },
            { "gen_ai.response.model", model },
            { "promptops.truncation.action", action },
        });
    }

    internal void InvalidReply(string? promptId, string? model, string tier)
    {
        if (!InvalidReplies.Enabled) return;
        InvalidReplies.Add(1, new TagList
        {
            { "promptops.prompt_id", promptId },
            { "gen_ai.response.model", model },
            { "promptops.tier", tier },
        });
    }

    internal void Escalation(string? promptId, string fromTier, string toTier, string reason)
    {
        if (!Escalations.Enabled) return;
        Escalations.Add(1, new TagList
        {
            { "promptops.prompt_id", promptId },
            { "promptops.escalation.from_tier", fromTier },
            { "promptops.escalation.to_tier", toTier },
            { "promptops.escalation.reason", reason },
        });
    }

    internal void SemanticBypass(string reason)
    {
        CacheBypass(CacheLayer.Semantic);
        if (SemanticBypasses.Enabled) SemanticBypasses.Add(1, new KeyValuePair<string, object?>("promptops.cache.semantic.reason", reason));
    }

    internal void CacheTtlExtended(CacheLayer layer)
    {
        if (CacheTtlExtensions.Enabled) CacheTtlExtensions.Add(1, new KeyValuePair<string, object?>("promptops.cache.layer", layer.ToMetricName()));
    }

    internal void SemanticRejection(string reason)
    {
        if (SemanticRejections.Enabled) SemanticRejections.Add(1, new KeyValuePair<string, object?>("promptops.cache.semantic.reason", reason));
    }

    internal void SemanticVerification(bool agreed)
    {
        Interlocked.Increment(ref _semanticVerified);
        if (!agreed) Interlocked.Increment(ref _semanticFalseHits);
        if (SemanticVerifications.Enabled)
        {
            SemanticVerifications.Add(1, new KeyValuePair<string, object?>("promptops.cache.semantic.result", agreed ? "agree" : "disagree"));
        }
    }

    private IEnumerable<Measurement<double>> ObserveFalseHitRate()
    {
        if (SemanticFalseHitRate is { } rate) yield return new Measurement<double>(rate);
    }

    internal void CacheLookup(CacheLayer layer, bool hit)
    {
        if (!CacheLookups.Enabled) return;
        CacheLookups.Add(1, new TagList
        {
            { "promptops.cache.layer", layer.ToMetricName() },
            { "promptops.cache.result", hit ? "hit" : "miss" },
        });
    }

    internal void CacheBypass(CacheLayer layer = CacheLayer.None)
    {
        if (!CacheLookups.Enabled) return;
        CacheLookups.Add(1, new TagList
        {
            { "promptops.cache.layer", layer.ToMetricName() },
            { "promptops.cache.result", "bypass" },
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
