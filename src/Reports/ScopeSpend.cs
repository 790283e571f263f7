using PromptOps.Budgets;

namespace PromptOps.Reports;

/// <summary>One scope id's spend in a <see cref="ScopeBudgetReport"/>.</summary>
public sealed record ScopeSpend
{
    /// <summary>The scope.</summary>
    public required BudgetScope Scope { get; init; }

    /// <summary>The tenant, user or prompt id; null for the application.</summary>
    public string? Id { get; init; }

    /// <summary>What it spent in the period (USD).</summary>
    public required decimal TotalUsd { get; init; }

    /// <summary>The day it spent the most (UTC).</summary>
    public required DateOnly PeakDay { get; init; }

    /// <summary>What it spent on <see cref="PeakDay"/>.</summary>
    public required decimal PeakDayUsd { get; init; }

    /// <summary>Its daily limit, if one is configured.</summary>
    public decimal? DailyLimitUsd { get; init; }

    /// <summary>The last month of the period it spent in (its first day).</summary>
    public required DateOnly Month { get; init; }

    /// <summary>What it spent in <see cref="Month"/> within the period.</summary>
    public required decimal MonthUsd { get; init; }

    /// <summary>Its monthly limit, if one is configured.</summary>
    public decimal? MonthlyLimitUsd { get; init; }

    /// <summary>The peak day's share of the daily limit (null without one).</summary>
    public decimal? DayShare => DailyLimitUsd is { } l && l > 0 ? PeakDayUsd / l : null;

    /// <summary>The month's share of the monthly limit (null without one).</summary>
    public decimal? MonthShare => MonthlyLimitUsd is { } l && l > 0 ? MonthUsd / l : null;

    /// <summary>The larger of the two shares (null without limits).</summary>
    public decimal? MaxShare => DayShare is { } d ? (MonthShare is { } m ? Math.Max(d, m) : d) : MonthShare;
}
