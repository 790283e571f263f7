namespace PromptOps.Reports;

/// <summary>A user's daily series and its spikes.</summary>
/// <param name="UserId">The user.</param>
/// <param name="Stats">The user's daily series over the report period.</param>
/// <param name="Spikes">The user's spike days, in date order.</param>
public sealed record UserAnomalies(string UserId, DailySeriesStats Stats, IReadOnlyList<CostSpike> Spikes);
