namespace PromptOps.Budgets;

/// <summary>The metric tag values of <see cref="BudgetSettleOutcome"/>.</summary>
internal static class BudgetSettleOutcomes
{
    public static string Name(BudgetSettleOutcome outcome) => outcome switch
    {
        BudgetSettleOutcome.Reported => "reported",
        BudgetSettleOutcome.Estimated => "estimated",
        BudgetSettleOutcome.WorstCase => "worst_case",
        _ => "released",
    };
}
