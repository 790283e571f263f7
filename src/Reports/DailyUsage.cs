namespace PromptOps.Reports;

/// <summary>One day of the <see cref="DailyReport"/>.</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="Totals">The day's totals.</param>
/// <param name="ByModel">The day by model (share of the day's cost).</param>
/// <param name="ByEndpoint">The day by endpoint (share of the day's cost).</param>
public sealed record DailyUsage(DateOnly Date, UsageTotals Totals, IReadOnlyList<UsageBreakdown> ByModel, IReadOnlyList<UsageBreakdown> ByEndpoint);
