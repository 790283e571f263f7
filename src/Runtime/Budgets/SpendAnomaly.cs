namespace PromptOps.Budgets;

/// <summary>A user's anomalous hour: what they spent, the ceiling it passed and their mean hourly spend.</summary>
internal sealed record SpendAnomaly(string UserId, decimal HourUsd, decimal CeilingUsd, decimal MeanUsd);
