namespace PromptOps.Budgets;

/// <summary>What a <see cref="BudgetAlert"/> is about.</summary>
public enum BudgetAlertKind
{
    /// <summary>Spend in a scope's window crossed a threshold of its limit.</summary>
    Threshold = 0,

    /// <summary>A user's spend in the current hour is far above their own history (<see cref="SpendAnomalyOptions"/>).</summary>
    Anomaly = 1,

    /// <summary>
    /// A budget action was taken or undone (<see cref="BudgetAlert.Action"/>, <see cref="BudgetAlert.Trigger"/>,
    /// <see cref="BudgetAlert.Undone"/>): <see cref="BudgetAlert.PeriodEnd"/> is when it is undone, <see cref="BudgetAlert.SpentOrReservedUsd"/>
    /// the month's spend and <see cref="BudgetAlert.LimitUsd"/> the monthly budget (for <see cref="BudgetActionKind.StopUser"/>:
    /// the user's hour and the ceiling it passed).
    /// </summary>
    Action = 2,
}
