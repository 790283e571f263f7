using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>
/// A request of a non-essential feature refused while the monthly pace is hot (<see cref="BudgetActionKind.PauseNonEssential"/>);
/// the pause ends when the month does. <see cref="PromptOpsLimitException.Current"/> is the pace ratio,
/// <see cref="PromptOpsLimitException.Limit"/> the ratio that triggered the pause.
/// </summary>
public sealed class FeaturePausedException : PromptOpsLimitException
{
    /// <summary>The <see cref="PromptOpsLimitException.LimitName"/>: <c>budget.paused</c>.</summary>
    public const string Name = "budget.paused";

    /// <summary>Creates the exception.</summary>
    public FeaturePausedException(string feature, decimal paceRatio, decimal triggerRatio, TimeSpan retryAfter, string? userId = null)
        : base(string.Create(CultureInfo.InvariantCulture,
                $"PromptOps budget: '{feature}' is a non-essential feature, paused until the end of the month because the monthly spend runs at {paceRatio:0.##}× the budget's pace (above {triggerRatio:0.##}×). Retry after {retryAfter:g}."),
            Name, paceRatio, triggerRatio, "pace", retryAfter, userId)
    {
        Feature = feature;
    }

    /// <summary>The prompt id or endpoint that was paused.</summary>
    public string Feature { get; }
}
