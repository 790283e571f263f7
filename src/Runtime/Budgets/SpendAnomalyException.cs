using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// A request refused because its user was stopped for an anomalous spend (<see cref="SpendAnomalyOptions.StopUser"/>) until
/// the end of the UTC day. <see cref="PromptOpsLimitException.Current"/> is the anomalous hour's spend,
/// <see cref="PromptOpsLimitException.Limit"/> the ceiling it passed (the factor × the user's mean hourly spend).
/// </summary>
public sealed class SpendAnomalyException : PromptOpsLimitException
{
    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/>: <c>budget.user.anomaly</c>.</summary>
    public const string Name = "budget.user.anomaly";

    /// <summary>Creates the exception.</summary>
    public SpendAnomalyException(string userId, decimal hourUsd, decimal ceilingUsd, TimeSpan retryAfter)
        : base(string.Create(CultureInfo.InvariantCulture,
                $"PromptOps budget: user '{userId}' is stopped until the end of the UTC day: ${hourUsd:0.00####} spent in one hour, above ${ceilingUsd:0.00####} (their usual hourly spend × the anomaly factor). Retry after {retryAfter:g}."),
            Name, hourUsd, ceilingUsd, "USD", retryAfter, userId)
    {
    }

    /// <summary>Creates the exception for a user another instance stopped (its amounts are not known here: <see cref="PromptOpsLimitException.Current"/> and <see cref="PromptOpsLimitException.Limit"/> are 0).</summary>
    public SpendAnomalyException(string userId, TimeSpan retryAfter)
        : base(string.Create(CultureInfo.InvariantCulture,
                $"PromptOps budget: user '{userId}' is stopped until the end of the UTC day for an anomalous hourly spend (found by another instance). Retry after {retryAfter:g}."),
            Name, 0, 0, "USD", retryAfter, userId)
    {
    }
}
