namespace PromptOps;

/// <summary>
/// The ambient end user of the calls made in the current async flow — what budgets, plans and usage reports key on when
/// a request's <see cref="PromptOpsMetadata"/> names no user. Generated clients and code that cannot pass the user on
/// every call set it once per unit of work (an ASP.NET Core middleware per request, a job per tenant):
/// <code>
/// using (PromptOpsContext.BeginUser(user.Id))
/// {
///     var category = await triage.ClassifyAsync(ticket);   // metered, budgeted and rate-limited as this user
/// }
/// </code>
/// An explicit <see cref="PromptOpsMetadata.UserId"/> wins. The user is never part of the cache key: use
/// <see cref="PromptOpsMetadata.CacheScope"/> (or <c>[CacheScope]</c>) to keep cached answers apart.
/// </summary>
public static class PromptOpsContext
{
    private static readonly AsyncLocal<string?> CurrentUser = new();
    private static readonly AsyncLocal<string?> CurrentTenant = new();

    /// <summary>The ambient user of the current async flow, or null.</summary>
    public static string? UserId => CurrentUser.Value;

    /// <summary>The user of a request with this metadata: its <see cref="PromptOpsMetadata.UserId"/>, else the ambient user.</summary>
    internal static string? UserIdOf(PromptOpsMetadata? metadata) => metadata?.UserId ?? CurrentUser.Value;

    /// <summary>Makes <paramref name="userId"/> the ambient user until the returned scope is disposed (scopes nest).</summary>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null, empty or white space.</exception>
    public static IDisposable BeginUser(string userId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var scope = new UserScope(CurrentUser.Value);
        CurrentUser.Value = userId;
        return scope;
    }

    /// <summary>The ambient tenant of the current async flow, or null.</summary>
    public static string? TenantId => CurrentTenant.Value;

    /// <summary>The tenant of a request with this metadata: its <see cref="PromptOpsMetadata.TenantId"/>, else the ambient tenant.</summary>
    internal static string? TenantIdOf(PromptOpsMetadata? metadata) => metadata?.TenantId ?? CurrentTenant.Value;

    /// <summary>
    /// Makes <paramref name="tenantId"/> the ambient tenant until the returned scope is disposed (scopes nest): tenant
    /// budgets (<see cref="Budgets.CostBudgetOptions.Tenants"/>) count the calls made inside it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="tenantId"/> is null, empty or white space.</exception>
    public static IDisposable BeginTenant(string tenantId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        var scope = new Scope(CurrentTenant, CurrentTenant.Value);
        CurrentTenant.Value = tenantId;
        return scope;
    }

    private sealed class UserScope(string? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            CurrentUser.Value = previous;
        }
    }

    private sealed class Scope(AsyncLocal<string?> slot, string? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            slot.Value = previous;
        }
    }
}
