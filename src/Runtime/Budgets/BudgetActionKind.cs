using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Budgets;

/// <summary>What PromptOps does when a <see cref="BudgetActionTrigger"/> holds (the actions of the cost-management guide).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum BudgetActionKind
{
    /// <summary>Requests of a tier above <see cref="CostBudgetOptions.DowngradeTier"/> are sent with that tier (an explicit model is never changed).</summary>
    DowngradeTier = 0,

    /// <summary>
    /// Requests of features marked non-essential (<see cref="PromptOpsMetadata.Essential"/> = false, or a prompt id or endpoint
    /// listed in <see cref="BudgetActionOptions.NonEssential"/>) are refused with a <see cref="FeaturePausedException"/>.
    /// </summary>
    PauseNonEssential = 1,

    /// <summary>Every user's limits are multiplied by <see cref="BudgetActionOptions.UserLimitFactor"/> for the rest of the month.</summary>
    LowerUserLimits = 2,

    /// <summary>
    /// The semantic cache's similarity threshold is lowered to <see cref="BudgetActionOptions.SemanticThreshold"/> (never
    /// below <see cref="BudgetActionOptions.MinSemanticThreshold"/>, the lowest whose measured false-hit rate stayed ≤ 1 %),
    /// so more paraphrases are answered from the cache; prompts that set their own threshold keep it, and the action
    /// stands down while the live false-hit rate of verified hits is above 1 %.
    /// </summary>
    WidenSemanticCache = 3,

    /// <summary>A user whose spend is anomalous is refused (<see cref="SpendAnomalyException"/>) until the end of the UTC day, on every instance sharing the store.</summary>
    StopUser = 4,
}
