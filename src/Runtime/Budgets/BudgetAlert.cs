using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Budgets;

/// <summary>
/// Spend in one scope and window crossed a threshold (<see cref="CostBudgetOptions.AlertThresholds"/>: 50 %, 80 % and
/// 100 % by default). Raised once per threshold, scope id and window period across every instance sharing the store.
/// </summary>
public sealed record BudgetAlert
{
    /// <summary>A threshold of a limit (the default) or a spend anomaly (then <see cref="ThresholdPercent"/> is 0,
    /// <see cref="SpentOrReservedUsd"/> the hour's spend and <see cref="LimitUsd"/> the ceiling it passed: the factor × the
    /// user's mean hourly spend).</summary>
    public BudgetAlertKind Kind { get; init; }

    /// <summary>The scope whose limit it is.</summary>
    public required BudgetScope Scope { get; init; }

    /// <summary>The tenant, user or prompt id; null for <see cref="BudgetScope.Application"/>.</summary>
    public string? ScopeId { get; init; }

    /// <summary>The window (hour, day, month).</summary>
    public required BudgetWindow Window { get; init; }

    /// <summary>The threshold crossed, in percent of the limit.</summary>
    public required int ThresholdPercent { get; init; }

    /// <summary>Spent plus reserved by calls in flight when the threshold was crossed (USD).</summary>
    public required decimal SpentOrReservedUsd { get; init; }

    /// <summary>The limit (USD).</summary>
    public required decimal LimitUsd { get; init; }

    /// <summary>When the window's period ends (UTC): the alert is not raised again before.</summary>
    public required DateTimeOffset PeriodEnd { get; init; }

    /// <summary>When the threshold was seen crossed.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>True when a request was refused by this limit (the alert is then the 100 % one, even if spend is below the limit).</summary>
    public bool Refused { get; init; }

    /// <summary>For <see cref="BudgetAlertKind.Action"/>: the action.</summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    public BudgetActionKind? Action { get; init; }

    /// <summary>For <see cref="BudgetAlertKind.Action"/>: what triggered it.</summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    public BudgetActionTrigger? Trigger { get; init; }

    /// <summary>For <see cref="BudgetAlertKind.Action"/>: true when the action ended (its period rolled over).</summary>
    public bool Undone { get; init; }
}
