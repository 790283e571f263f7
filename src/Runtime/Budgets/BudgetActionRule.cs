using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Budgets;

/// <summary>
/// One row of the budget's action table (<see cref="BudgetActionOptions.Rules"/>): when <see cref="When"/> holds, take
/// <see cref="Action"/>. A pace action, once taken, holds until the end of the month (it is undone when the month rolls
/// over, not when the pace dips); <see cref="BudgetActionKind.StopUser"/> holds until the end of the UTC day.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class BudgetActionRule
{
    /// <summary>The condition.</summary>
    public BudgetActionTrigger When { get; set; }

    /// <summary>The action.</summary>
    public BudgetActionKind Action { get; set; }

    /// <summary>A copy.</summary>
    internal BudgetActionRule Clone() => (BudgetActionRule)MemberwiseClone();
}
