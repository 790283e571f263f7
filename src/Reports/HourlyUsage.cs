namespace PromptOps.Reports;

/// <summary>Requests and cost in one hour of the day (UTC), summed over the period.</summary>
/// <param name="Hour">0–23.</param>
/// <param name="Requests">Calls that started in this hour.</param>
/// <param name="CostUsd">Their cost.</param>
public sealed record HourlyUsage(int Hour, long Requests, decimal CostUsd);
