namespace PromptOps.Plans;

/// <summary>Finds a user's plan, e.g. from the application's database. Register one in DI to override <see cref="UserPlanOptions.Users"/>.</summary>
public interface IUserPlanResolver
{
    /// <summary>The plan name of <paramref name="userId"/>, or null to fall back to <see cref="UserPlanOptions.Users"/> and <see cref="UserPlanOptions.DefaultPlan"/>.</summary>
    ValueTask<string?> GetPlanNameAsync(string userId, CancellationToken cancellationToken);
}
