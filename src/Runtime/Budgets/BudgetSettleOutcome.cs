namespace PromptOps.Budgets;

/// <summary>How the budget breaker knew what a call cost when it settled it.</summary>
public enum BudgetSettleOutcome
{
    /// <summary>From the usage the provider reported.</summary>
    Reported,

    /// <summary>Estimated: no usage was reported (or the stream ended early); counted input plus the output text received.</summary>
    Estimated,

    /// <summary>Cancelled before any answer came back: the reserved worst case.</summary>
    WorstCase,

    /// <summary>The provider failed before answering: nothing is charged.</summary>
    Released,
}
