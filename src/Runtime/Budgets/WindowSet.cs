namespace PromptOps.Budgets;

/// <summary>The budget windows of one UTC hour: their store keys and expiry times (<see cref="CostBudget"/> computes them once per hour).</summary>
internal sealed record WindowSet(long Hour, string[] Keys, DateTimeOffset[] ExpiresAt);
