namespace PromptOps.Reports;

/// <summary>One user's usage: period, totals, daily costs and the models used.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Period">The requested period, else the user's first to last active day; null when the user has no record.</param>
/// <param name="Totals">The user's totals over the period.</param>
/// <param name="ActiveDays">Days with at least one call.</param>
/// <param name="AverageDailyCostUsd">Cost ÷ days of the period (0 without a period).</param>
/// <param name="DailyCosts">Every day of the period in order, days without calls included.</param>
/// <param name="Models">The user's usage by model (share of the user's cost).</param>
public sealed record UserReport(string UserId, ReportPeriod? Period, UsageTotals Totals, int ActiveDays, decimal AverageDailyCostUsd,
    IReadOnlyList<DailyCost> DailyCosts, IReadOnlyList<UsageBreakdown> Models);
