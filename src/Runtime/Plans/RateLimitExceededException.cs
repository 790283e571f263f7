using PromptOps.Budgets;

namespace PromptOps.Plans;

/// <summary>
/// A request refused because the user sent more requests in the last minute than the plan allows (<c>plan.rpm</c>).
/// <see cref="PromptOpsLimitException.RetryAfter"/> is when the rate limiter frees a permit.
/// </summary>
public sealed class RateLimitExceededException : PromptOpsLimitException
{
    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/> of this refusal.</summary>
    public const string Name = "plan.rpm";

    /// <summary>Creates the exception.</summary>
    public RateLimitExceededException(string userId, string planName, int requestsPerWindow, TimeSpan window, TimeSpan? retryAfter)
        : base($"PromptOps plan: user '{userId}' (plan {planName}) sent {requestsPerWindow} requests in the last {window:g}, the plan's limit. Retry after {retryAfter:g}.",
            Name, requestsPerWindow, requestsPerWindow, "requests", retryAfter, userId)
    {
        PlanName = planName;
        Window = window;
    }

    /// <summary>The user's plan.</summary>
    public string PlanName { get; }

    /// <summary>The rate limit's window (one minute unless configured otherwise).</summary>
    public TimeSpan Window { get; }
}
