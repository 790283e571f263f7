namespace PromptOps.Budgets;

/// <summary>What the budget and plans do while the shared store (Redis) cannot be reached.</summary>
public enum BudgetStoreFailurePolicy
{
    /// <summary>
    /// Count in a local, in-process window instead and log one warning per outage. Each instance then enforces the
    /// limits on its own spend only: with N instances up to N times a limit can be spent during an outage.
    /// </summary>
    FallbackToLocal = 0,

    /// <summary>Refuse every request that needs the store (a <see cref="BudgetStoreUnavailableException"/>) until it answers again.</summary>
    FailClosed = 1,

    /// <summary>
    /// The budget: each instance holds small slices of the shared budget, reserved in the shared store ahead of need
    /// (<see cref="EscrowBudgetStore"/>), and spends from them; while the store cannot be reached it spends what its slices
    /// hold and nothing more, so all instances together never spend more than the limit during an outage. Plan quotas,
    /// which are not escrowed, fall back to a local window as with <see cref="FallbackToLocal"/>.
    /// </summary>
    Escrow = 2,
}
