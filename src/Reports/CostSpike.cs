namespace PromptOps.Reports;

/// <summary>A day whose cost exceeded mean + k·σ of its series.</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="UserId">The user, for a per-user spike; null for the overall series.</param>
/// <param name="CostUsd">The day's cost.</param>
/// <param name="ZScore">(cost − mean) ÷ σ.</param>
/// <param name="ExcessUsd">Cost above the mean.</param>
public sealed record CostSpike(DateOnly Date, string? UserId, decimal CostUsd, double ZScore, decimal ExcessUsd);
