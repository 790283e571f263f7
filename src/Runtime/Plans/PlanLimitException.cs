using PromptOps.Budgets;

namespace PromptOps.Plans;

/// <summary>
/// A request refused by the user's plan: daily requests or tokens used up (<c>plan.daily_requests</c>,
/// <c>plan.daily_tokens</c>; retry at the next UTC day), an input longer than the plan allows
/// (<c>plan.max_input_tokens</c>; retrying will not help), a model the plan does not include (<c>plan.models</c>), or a
/// request without a user id when one is required (<c>plan.user_required</c>).
/// </summary>
public sealed class PlanLimitException : PromptOpsLimitException
{
    /// <summary>Daily requests used up.</summary>
    public const string DailyRequests = "plan.daily_requests";

    /// <summary>Daily tokens used up.</summary>
    public const string DailyTokens = "plan.daily_tokens";

    /// <summary>The input is longer than the plan allows.</summary>
    public const string MaxInputTokens = "plan.max_input_tokens";

    /// <summary>The model is not in the plan.</summary>
    public const string Models = "plan.models";

    /// <summary>The request has no user id and plans require one.</summary>
    public const string UserRequired = "plan.user_required";

    /// <summary>Creates the exception.</summary>
    public PlanLimitException(string message, string limitName, decimal current, decimal limit, string unit, TimeSpan? retryAfter, string? userId, string? planName, string? modelId = null)
        : base(message, limitName, current, limit, unit, retryAfter, userId)
    {
        PlanName = planName;
        ModelId = modelId;
    }

    /// <summary>The user's plan (<c>free</c>, <c>starter</c>, …).</summary>
    public string? PlanName { get; }

    /// <summary>The model the request asked for (for <see cref="Models"/>).</summary>
    public string? ModelId { get; }
}
