using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Budgets;

/// <summary>The pace actions in force for one request (a bit per <see cref="BudgetActionKind"/>) and the pace that triggered them.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal readonly record struct ActiveBudgetActions(int Mask, BudgetPace? Pace)
{
    public bool Has(BudgetActionKind kind) => (Mask & (1 << (int)kind)) != 0;
}
