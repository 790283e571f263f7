using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// A request the budget breaker refused: its worst case (<see cref="RequestedUsd"/>) does not fit in what is left of
/// an hourly, daily or monthly budget. <see cref="PromptOpsLimitException.Current"/> is what was spent or reserved in
/// the window at that moment, <see cref="PromptOpsLimitException.Limit"/> the budget, both in USD;
/// <see cref="PromptOpsLimitException.RetryAfter"/> is the time until the window ends.
/// </summary>
public sealed class BudgetExceededException : PromptOpsLimitException
{
    /// <summary>Creates the exception.</summary>
    public BudgetExceededException(BudgetWindow window, decimal currentUsd, decimal limitUsd, decimal requestedUsd, string? modelId, TimeSpan retryAfter)
        : base(string.Create(CultureInfo.InvariantCulture,
                $"PromptOps budget: the {Name(window)} budget of ${limitUsd:0.00####} would be exceeded: ${currentUsd:0.00####} is spent or reserved and this request to '{modelId}' may cost up to ${requestedUsd:0.00####}. Retry after {retryAfter:g}."),
            LimitNameOf(window), currentUsd, limitUsd, "USD", retryAfter)
    {
        Window = window;
        RequestedUsd = requestedUsd;
        ModelId = modelId;
    }

    /// <summary>Creates the exception for the limit of a tenant, user or prompt (or the application's).</summary>
    public BudgetExceededException(BudgetWindow window, decimal currentUsd, decimal limitUsd, decimal requestedUsd, string? modelId, TimeSpan retryAfter,
        BudgetScope scope, string? scopeId, string? userId = null)
        : base(string.Create(CultureInfo.InvariantCulture,
                $"PromptOps budget: the {Name(window)} budget of ${limitUsd:0.00####}{Of(scope, scopeId)} would be exceeded: ${currentUsd:0.00####} is spent or reserved and this request to '{modelId}' may cost up to ${requestedUsd:0.00####}. Retry after {retryAfter:g}."),
            LimitNameOf(scope, window), currentUsd, limitUsd, "USD", retryAfter, userId)
    {
        Window = window;
        RequestedUsd = requestedUsd;
        ModelId = modelId;
        Scope = scope;
        ScopeId = scopeId;
    }

    /// <summary>Whose limit it is: the application's, or a tenant's, user's or prompt's (<see cref="ScopeId"/>).</summary>
    public BudgetScope Scope { get; }

    /// <summary>The tenant, user or prompt id whose limit would be exceeded; null for the application.</summary>
    public string? ScopeId { get; }

    /// <summary>The window whose budget would be exceeded.</summary>
    public BudgetWindow Window { get; }

    /// <summary>The request's worst-case cost (its input tokens plus its maximum output at the model's price).</summary>
    public decimal RequestedUsd { get; }

    /// <summary>The model the request was going to.</summary>
    public string? ModelId { get; }

    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/> of a window: <c>budget.hourly</c>, <c>budget.daily</c>, <c>budget.monthly</c>.</summary>
    public static string LimitNameOf(BudgetWindow window) => "budget." + Name(window);

    /// <summary>
    /// The <see cref="PromptOpsLimitException.LimitName"/> of a scope's window: <c>budget.daily</c> for the application,
    /// <c>budget.tenant.daily</c>, <c>budget.user.monthly</c>, <c>budget.prompt.hourly</c> for the others.
    /// </summary>
    public static string LimitNameOf(BudgetScope scope, BudgetWindow window) => scope switch
    {
        BudgetScope.Tenant => "budget.tenant." + Name(window),
        BudgetScope.User => "budget.user." + Name(window),
        BudgetScope.Prompt => "budget.prompt." + Name(window),
        _ => LimitNameOf(window),
    };

    private static string Of(BudgetScope scope, string? id) => scope switch
    {
        BudgetScope.Tenant => $" of tenant '{id}'",
        BudgetScope.User => $" of user '{id}'",
        BudgetScope.Prompt => $" of prompt '{id}'",
        _ => "",
    };

    private static string Name(BudgetWindow window) => window switch
    {
        BudgetWindow.Hour => "hourly",
        BudgetWindow.Day => "daily",
        _ => "monthly",
    };
}
