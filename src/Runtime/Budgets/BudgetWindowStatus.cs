namespace PromptOps.Budgets;

/// <summary>Spend in one budget window.</summary>
/// <param name="Window">The window.</param>
/// <param name="SpentOrReservedUsd">USD settled plus USD reserved by calls in flight.</param>
/// <param name="LimitUsd">The window's limit.</param>
public sealed record BudgetWindowStatus(BudgetWindow Window, decimal SpentOrReservedUsd, decimal LimitUsd)
{
    /// <summary>The scope whose limit this is; <see cref="BudgetScope.Application"/> by default.</summary>
    public BudgetScope Scope { get; init; }

    /// <summary>The tenant, user or prompt id; null for the application.</summary>
    public string? ScopeId { get; init; }

    /// <summary>What is left: <see cref="LimitUsd"/> − <see cref="SpentOrReservedUsd"/>, never negative.</summary>
    public decimal RemainingUsd => Math.Max(0, LimitUsd - SpentOrReservedUsd);
}
