namespace PromptOps.Budgets;

/// <summary>A counter's limit and the total at which it reaches the lowest alert threshold (<see cref="long.MaxValue"/>: never).</summary>
/// <param name="Limit">The limit.</param>
/// <param name="FirstAlertAt">The total of the lowest alert.</param>
internal readonly record struct ChargeBounds(long Limit, long FirstAlertAt);
