namespace PromptOps.Budgets;

/// <summary>The budget window a limit applies to.</summary>
public enum BudgetWindow
{
    /// <summary>The current UTC hour.</summary>
    Hour = 0,

    /// <summary>The current UTC day.</summary>
    Day = 1,

    /// <summary>The current UTC calendar month.</summary>
    Month = 2,
}
