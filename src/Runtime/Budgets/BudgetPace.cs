namespace PromptOps.Budgets;

/// <summary>
/// The pace of a monthly budget at one moment: what was spent, what a linear use of the budget would have spent by
/// now, their ratio, the status, the projected month-end spend and the recommended actions. Shared by the budget
/// breaker (automatic downgrade while critical) and the reports.
/// </summary>
public sealed record BudgetPace
{
    /// <summary>Above this ratio of spend to linear pace the status is <see cref="BudgetPaceStatus.Critical"/>.</summary>
    public const decimal CriticalRatio = 1.5m;

    /// <summary>Above this ratio the status is <see cref="BudgetPaceStatus.Warning"/>.</summary>
    public const decimal WarningRatio = 1.2m;

    /// <summary>Below this ratio the status is <see cref="BudgetPaceStatus.UnderUsed"/>.</summary>
    public const decimal UnderUsedRatio = 0.5m;

    /// <summary>The monthly budget in USD.</summary>
    public required decimal MonthlyBudgetUsd { get; init; }

    /// <summary>USD spent since the start of the month.</summary>
    public required decimal SpentUsd { get; init; }

    /// <summary>The share of the month that has elapsed, in (0, 1].</summary>
    public required double ElapsedFraction { get; init; }

    /// <summary>What a linear use of the budget would have spent by now: budget × elapsed fraction.</summary>
    public decimal ExpectedSpendUsd => MonthlyBudgetUsd * (decimal)ElapsedFraction;

    /// <summary>Spend divided by <see cref="ExpectedSpendUsd"/>.</summary>
    public required decimal PaceRatio { get; init; }

    /// <summary>The status for <see cref="PaceRatio"/>.</summary>
    public required BudgetPaceStatus Status { get; init; }

    /// <summary>Spend extrapolated linearly to the end of the month.</summary>
    public decimal ProjectedMonthEndUsd => SpentUsd / (decimal)ElapsedFraction;

    /// <summary>What to do about it, most effective first.</summary>
    public required IReadOnlyList<string> RecommendedActions { get; init; }

    /// <summary>
    /// The pace of <paramref name="spentUsd"/> against <paramref name="monthlyBudgetUsd"/> at <paramref name="now"/>,
    /// for the calendar month (UTC) that contains it. The elapsed fraction counts at least one hour, so the first minutes
    /// of a month do not turn a single call into "critical".
    /// </summary>
    public static BudgetPace Compute(decimal monthlyBudgetUsd, decimal spentUsd, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var start = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var length = start.AddMonths(1) - start;
        var elapsed = utc - start;
        if (elapsed < TimeSpan.FromHours(1)) elapsed = TimeSpan.FromHours(1);
        return Compute(monthlyBudgetUsd, spentUsd, elapsed / length);
    }

    /// <summary>The pace of <paramref name="spentUsd"/> when <paramref name="elapsedFraction"/> of the month has passed.</summary>
    public static BudgetPace Compute(decimal monthlyBudgetUsd, decimal spentUsd, double elapsedFraction)
    {
        if (monthlyBudgetUsd <= 0) throw new ArgumentOutOfRangeException(nameof(monthlyBudgetUsd), monthlyBudgetUsd, "The monthly budget must be positive.");
        if (spentUsd < 0) throw new ArgumentOutOfRangeException(nameof(spentUsd), spentUsd, "Spend cannot be negative.");
        if (!(elapsedFraction > 0 && elapsedFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(elapsedFraction), elapsedFraction, "The elapsed fraction of the month must be in (0, 1].");
        var ratio = spentUsd / (monthlyBudgetUsd * (decimal)elapsedFraction);
        var status = ratio > CriticalRatio ? BudgetPaceStatus.Critical
            : ratio > WarningRatio ? BudgetPaceStatus.Warning
            : ratio < UnderUsedRatio ? BudgetPaceStatus.UnderUsed
            : BudgetPaceStatus.OnTrack;
        return new BudgetPace
        {
            MonthlyBudgetUsd = monthlyBudgetUsd,
            SpentUsd = spentUsd,
            ElapsedFraction = elapsedFraction,
            PaceRatio = decimal.Round(ratio, 4),
            Status = status,
            RecommendedActions = Actions(status),
        };
    }

    private static IReadOnlyList<string> Actions(BudgetPaceStatus status) => status switch
    {
        BudgetPaceStatus.Critical =>
        [
            "Route simple tasks to the fast_cheap tier (automatic downgrade while critical).",
            "Raise cache TTLs for static prompts and check the cache hit rate.",
            "Lower MaxOutputTokens to the task defaults.",
            "Find the top endpoints and users in the cost-drivers report.",
        ],
        BudgetPaceStatus.Warning =>
        [
            "Check the cost-drivers report for new top endpoints or users.",
            "Enable caching for prompts that repeat.",
            "Compress long system prompts (PO0001).",
        ],
        BudgetPaceStatus.UnderUsed =>
        [
            "Spend is well under budget: consider a higher tier where answer quality matters, or lower the budget.",
        ],
        _ => ["No action needed."],
    };
}
