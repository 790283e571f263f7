namespace PromptOps.Budgets;

/// <summary>
/// Limits per tenant, user or prompt decided at run time (a SaaS selling limits with its plans, an admin raising one
/// customer's ceiling). Register one in the service collection; the budget asks it for each scope id it meets and keeps
/// the answer for <see cref="CostBudgetOptions.LimitCacheDuration"/>.
/// </summary>
public interface IBudgetLimitProvider
{
    /// <summary>
    /// The limits of <paramref name="id"/> in <paramref name="scope"/> (<see cref="BudgetScope.Tenant"/>,
    /// <see cref="BudgetScope.User"/> or <see cref="BudgetScope.Prompt"/>); null to use the configured limits
    /// (<see cref="CostBudgetOptions.Tenants"/> and its siblings), <see cref="BudgetLimits.Unlimited"/> for none.
    /// An exception refuses the request (the budget cannot tell what it may spend).
    /// </summary>
    ValueTask<BudgetLimits?> GetLimitsAsync(BudgetScope scope, string id, CancellationToken cancellationToken);
}
