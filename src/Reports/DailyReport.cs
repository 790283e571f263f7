namespace PromptOps.Reports;

/// <summary>The daily report: for each day of the period, the totals and their breakdown by model and by endpoint.</summary>
/// <param name="Period">The days covered; null for an empty ledger without a requested period.</param>
/// <param name="Totals">The whole period.</param>
/// <param name="Days">Every day of the period in order, days without calls included (with empty breakdowns).</param>
public sealed record DailyReport(ReportPeriod? Period, UsageTotals Totals, IReadOnlyList<DailyUsage> Days);
