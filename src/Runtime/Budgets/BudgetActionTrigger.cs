using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Budgets;

/// <summary>When a <see cref="BudgetActionRule"/> acts.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum BudgetActionTrigger
{
    /// <summary>The application's monthly pace is above <see cref="BudgetPace.WarningRatio"/> (warning or critical).</summary>
    PaceWarning = 0,

    /// <summary>The application's monthly pace is above <see cref="BudgetPace.CriticalRatio"/>.</summary>
    PaceCritical = 1,

    /// <summary>A user's hourly spend is anomalous (<see cref="SpendAnomalyOptions"/>); the action applies to that user.</summary>
    Anomaly = 2,
}
