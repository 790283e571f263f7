namespace PromptOps.Budgets;

/// <summary>The budget at one moment: each configured window and the monthly pace.</summary>
/// <param name="Windows">The configured windows (hour, day, month), in that order: the application's, then those of the
/// tenant, user and prompt asked about.</param>
/// <param name="Pace">The monthly pace, when a monthly budget is set.</param>
public sealed record BudgetStatus(IReadOnlyList<BudgetWindowStatus> Windows, BudgetPace? Pace);
