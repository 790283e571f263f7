using System.Globalization;

namespace PromptOps.Budgets;

/// <summary>Dollar limits of one scope (a tenant, a user, a prompt) per UTC hour, day and calendar month. A null limit is no limit.</summary>
public sealed class BudgetLimits
{
    /// <summary>Hard limit per UTC hour (USD); null: none.</summary>
    public decimal? HourlyLimitUsd { get; set; }

    /// <summary>Hard limit per UTC day (USD); null: none.</summary>
    public decimal? DailyLimitUsd { get; set; }

    /// <summary>Hard limit per UTC calendar month (USD); null: none.</summary>
    public decimal? MonthlyBudgetUsd { get; set; }

    /// <summary>No limit at all: what an <see cref="IBudgetLimitProvider"/> returns for a scope that must not be limited.</summary>
    public static BudgetLimits Unlimited => new();

    /// <summary>True when at least one limit is set.</summary>
    public bool IsConfigured => HourlyLimitUsd is not null || DailyLimitUsd is not null || MonthlyBudgetUsd is not null;

    /// <summary>The limit of <paramref name="window"/>; null when none.</summary>
    public decimal? LimitOf(BudgetWindow window) => window switch
    {
        BudgetWindow.Hour => HourlyLimitUsd,
        BudgetWindow.Day => DailyLimitUsd,
        _ => MonthlyBudgetUsd,
    };

    /// <summary>The problems with these limits, each naming the bad value under <paramref name="path"/>; empty when valid.</summary>
    public IEnumerable<string> GetErrors(string path)
    {
        foreach (var (name, value) in new[] { ("HourlyLimitUsd", HourlyLimitUsd), ("DailyLimitUsd", DailyLimitUsd), ("MonthlyBudgetUsd", MonthlyBudgetUsd) })
        {
            if (value is { } v && (v < CostBudgetOptions.MinLimitUsd || v > CostBudgetOptions.MaxLimitUsd))
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{path}:{name} must be in [{CostBudgetOptions.MinLimitUsd}, {CostBudgetOptions.MaxLimitUsd}], but is {v}.");
            }
        }
    }

    /// <summary>A copy.</summary>
    internal BudgetLimits Clone() => (BudgetLimits)MemberwiseClone();
}
