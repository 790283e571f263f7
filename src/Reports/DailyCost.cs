namespace PromptOps.Reports;

/// <summary>Requests and cost of one day.</summary>
/// <param name="Date">The UTC day.</param>
/// <param name="Requests">Calls that day.</param>
/// <param name="CostUsd">USD spent that day (priced calls).</param>
public sealed record DailyCost(DateOnly Date, long Requests, decimal CostUsd);
