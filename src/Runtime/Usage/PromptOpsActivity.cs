using System.Diagnostics;

namespace PromptOps.Usage;

/// <summary>
/// The PromptOps span: one <c>promptops.chat</c> activity (kind <see cref="ActivityKind.Internal"/>) per request through
/// <see cref="UsageMeterChatClient"/>, on the <see cref="ActivitySource"/> named <see cref="PromptOpsMetrics.ActivitySourceName"/>
/// (<c>AddSource("PromptOps")</c>). It holds what Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c> cannot know — the
/// PromptOps attributes below — and, with <c>UseOpenTelemetry()</c> inside <c>UsePromptOps()</c>, the <c>gen_ai</c> span of
/// each provider call is its child (a cache hit has none). Nothing is created when nobody listens.
/// </summary>
internal static class PromptOpsActivity
{
    /// <summary>The activity's operation name.</summary>
    public const string OperationName = "promptops.chat";

    /// <summary>The prompt id (<see cref="PromptOpsMetadata.PromptId"/>).</summary>
    public const string PromptId = "promptops.prompt_id";

    /// <summary>The prompt version (<see cref="PromptOpsMetadata.PromptVersion"/>).</summary>
    public const string PromptVersion = "promptops.prompt_version";

    /// <summary>The task (<see cref="PromptOpsMetadata.Task"/>).</summary>
    public const string TaskName = "promptops.task";

    /// <summary>The tier the request asked for (<c>fast_cheap</c>, <c>balanced</c>, …).</summary>
    public const string Tier = "promptops.tier";

    /// <summary><c>success</c>, <c>refused</c> (a PromptOps limit), <c>cancelled</c> or <c>failed</c>.</summary>
    public const string Outcome = "promptops.outcome";

    /// <summary>The cache layer that answered: <c>l1</c>, <c>l2</c>, <c>in_flight</c>, <c>semantic</c>, or <c>none</c> (the provider did).</summary>
    public const string CacheLayerName = "promptops.cache.layer";

    /// <summary>What the provider calls of this request cost, in USD (absent when a model has no price).</summary>
    public const string CostUsd = "promptops.cost.usd";

    /// <summary>What cache hits of this request would have cost, in USD (absent when a model has no price).</summary>
    public const string CostSavedUsd = "promptops.cost.saved_usd";

    /// <summary>False when a model of the request has no price (the cost is then unknown, never $0).</summary>
    public const string CostPriced = "promptops.cost.priced";

    /// <summary>True when the provider reported no usage and the tokens were estimated.</summary>
    public const string CostEstimated = "promptops.cost.estimated";

    /// <summary>The limit that refused the request (<c>budget.daily</c>, <c>plan.rpm</c>, …).</summary>
    public const string Limit = "promptops.limit";

    /// <summary><c>refused</c> (a <c>budget.*</c> limit) or <c>downgraded</c> (the tier was lowered while the pace is critical).</summary>
    public const string BudgetOutcome = "promptops.budget.outcome";

    /// <summary>The tier a downgraded request asked for.</summary>
    public const string BudgetDowngradedFrom = "promptops.budget.downgraded_from";

    /// <summary>How the budget settled the call's cost: <c>reported</c>, <c>estimated</c>, <c>worst_case</c>, <c>released</c>.</summary>
    public const string BudgetSettle = "promptops.budget.settle";

    /// <summary><c>refused</c> (a <c>plan.*</c> limit).</summary>
    public const string PlanOutcome = "promptops.plan.outcome";

    /// <summary>The user's plan, on a request the plan refused.</summary>
    public const string PlanName = "promptops.plan.name";

    /// <summary>How many times the request was asked again one tier up (reply escalation, cascade).</summary>
    public const string Escalations = "promptops.escalations";

    /// <summary>What happened to an answer cut off at the output-token limit: <c>returned</c>, <c>retried</c>, <c>thrown</c>.</summary>
    public const string TruncationAction = "promptops.truncation.action";

    /// <summary>The activity source; version: the runtime assembly's.</summary>
    public static readonly ActivitySource Source = new(PromptOpsMetrics.ActivitySourceName, typeof(PromptOpsActivity).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The current activity when it is a PromptOps span (the layers inside the meter run under it), else null: PromptOps
    /// never writes its attributes on someone else's span.
    /// </summary>
    public static Activity? Current => Activity.Current is { } a && ReferenceEquals(a.Source, Source) ? a : null;

    /// <summary>Starts the request's span, or returns null when nobody listens (or the sampler drops it).</summary>
    public static Activity? Start(PromptOpsMetadata? meta)
    {
        if (!Source.HasListeners()) return null;
        var activity = Source.StartActivity(OperationName, ActivityKind.Internal);
        if (activity is null) return null;
        activity.DisplayName = meta?.PromptId is { Length: > 0 } id ? "promptops " + id : "promptops chat";
        if (!activity.IsAllDataRequested) return activity;
        if (meta is null) return activity;
        if (meta.PromptId is { } promptId) activity.SetTag(PromptId, promptId);
        if (meta.PromptVersion is { } version) activity.SetTag(PromptVersion, version);
        if (meta.Task is { } task) activity.SetTag(TaskName, task);
        if (meta.EffectiveTier is { } tier) activity.SetTag(Tier, Knowledge.ModelTiers.GetName(tier));
        return activity;
    }
}
