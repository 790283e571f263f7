namespace PromptOps.Budgets;

/// <summary>Who and what a request is for: the scopes it is counted in besides the application.</summary>
/// <param name="TenantId">The tenant, if any.</param>
/// <param name="UserId">The end user, if any.</param>
/// <param name="PromptId">The prompt (endpoint), if any.</param>
public readonly record struct BudgetSubject(string? TenantId, string? UserId, string? PromptId)
{
    /// <summary>No tenant, user or prompt: the application's limits only.</summary>
    public static BudgetSubject None => default;

    /// <summary>The id of <paramref name="scope"/>; null for <see cref="BudgetScope.Application"/> or when not set.</summary>
    public string? IdOf(BudgetScope scope) => scope switch
    {
        BudgetScope.Tenant => TenantId,
        BudgetScope.User => UserId,
        BudgetScope.Prompt => PromptId,
        _ => null,
    };
}
