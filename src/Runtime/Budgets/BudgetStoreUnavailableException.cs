namespace PromptOps.Budgets;

/// <summary>
/// A request refused because the shared budget store (Redis) cannot be reached and the policy is
/// <see cref="BudgetStoreFailurePolicy.FailClosed"/>. <see cref="PromptOpsLimitException.RetryAfter"/> is when the store is tried again.
/// </summary>
public sealed class BudgetStoreUnavailableException : PromptOpsLimitException
{
    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/> of this refusal.</summary>
    public const string Name = "budget.store_unavailable";

    /// <summary>Creates the exception.</summary>
    public BudgetStoreUnavailableException(string store, string counterKey, TimeSpan retryAfter)
        : this(store, counterKey, retryAfter, innerException: null)
    {
    }

    /// <summary>Creates the exception with the store's own error as <paramref name="innerException"/>.</summary>
    public BudgetStoreUnavailableException(string store, string counterKey, TimeSpan retryAfter, Exception? innerException)
        : base($"PromptOps budget: the {store} budget store cannot be reached and the policy is FailClosed, so '{counterKey}' cannot be checked. Retry after {retryAfter:g}.",
            Name, 0m, 0m, "USD", retryAfter, null, innerException)
    {
        Store = store;
    }

    /// <summary>Creates the exception with its own explanation (for example the escrow policy's).</summary>
    public BudgetStoreUnavailableException(string store, TimeSpan retryAfter, string message, Exception? innerException)
        : base(message, Name, 0m, 0m, "USD", retryAfter, null, innerException)
    {
        Store = store;
    }

    /// <summary>The store that failed (<c>redis</c>).</summary>
    public string Store { get; }

    /// <summary>
    /// True when the refusal depends on the amount asked for: the escrow, its shared store unreachable, refused because
    /// its slices hold less than that (a smaller amount could still be granted). False for a store that refuses everything.
    /// </summary>
    internal bool ByAmount { get; init; }
}
