namespace PromptOps.Budgets;

/// <summary>The application's windows for one UTC hour: their keys, expiries and the prepared charges (<see cref="ChargeSet"/>); <see cref="CostBudget"/> computes them once per hour.</summary>
internal sealed record WindowSet(long Hour, string[] Keys, DateTimeOffset[] ExpiresAt, ChargeSet Set);
