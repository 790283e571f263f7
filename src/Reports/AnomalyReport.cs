namespace PromptOps.Reports;

/// <summary>Daily cost spikes (mean + k·σ), overall and per user.</summary>
/// <param name="Period">The days covered; null for an empty ledger without a requested period.</param>
/// <param name="K">The number of standard deviations above the mean that makes a spike.</param>
/// <param name="MinDays">Series shorter than this are not evaluated.</param>
/// <param name="Overall">The statistics of the total daily cost.</param>
/// <param name="Spikes">Days whose total cost is a spike, in date order.</param>
/// <param name="Users">Users with at least one spike, the largest z-score first.</param>
public sealed record AnomalyReport(ReportPeriod? Period, double K, int MinDays, DailySeriesStats Overall, IReadOnlyList<CostSpike> Spikes, IReadOnlyList<UserAnomalies> Users);
