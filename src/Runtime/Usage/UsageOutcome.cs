namespace PromptOps.Usage;

/// <summary>How a call ended.</summary>
public enum UsageOutcome
{
    /// <summary>An answer was returned (from the provider or a cache).</summary>
    Success = 0,

    /// <summary>The call threw.</summary>
    Failed = 1,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled = 2,

    /// <summary>
    /// PromptOps refused the call before it reached the provider: it threw a
    /// <see cref="Budgets.PromptOpsLimitException"/> (a budget, a plan limit, a rate limit). Costs nothing.
    /// </summary>
    Refused = 3,
}
