using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>Unit cost against revenue, and the gross margin after AI cost.</summary>
/// <param name="Period">The days covered; null for an empty ledger without a requested period.</param>
/// <param name="RevenueUsd">The revenue of the period, as given.</param>
/// <param name="AiCostUsd">What the calls cost (priced calls only; see <paramref name="UnpricedRequests"/>).</param>
/// <param name="OtherCostOfRevenueUsd">Other cost of revenue, as given.</param>
/// <param name="Requests">Calls in the period.</param>
/// <param name="ActiveUsers">Distinct users with a call in the period.</param>
/// <param name="CostPerRequestUsd">AI cost ÷ requests; null without requests.</param>
/// <param name="CostPerActiveUserUsd">AI cost ÷ active users; null without users.</param>
/// <param name="RevenuePerActiveUserUsd">Revenue ÷ active users; null without users.</param>
/// <param name="AiCostShareOfRevenue">AI cost ÷ revenue; null without revenue.</param>
/// <param name="GrossMargin">(revenue − AI cost − other cost of revenue) ÷ revenue; null without revenue.</param>
/// <param name="Health">The margin against the thresholds.</param>
/// <param name="UnpricedRequests">Calls whose cost is unknown: the true margin is lower when this is not zero.</param>
public sealed record UnitEconomicsReport(ReportPeriod? Period, decimal RevenueUsd, decimal AiCostUsd, decimal OtherCostOfRevenueUsd, long Requests,
    int ActiveUsers, decimal? CostPerRequestUsd, decimal? CostPerActiveUserUsd, decimal? RevenuePerActiveUserUsd, decimal? AiCostShareOfRevenue,
    decimal? GrossMargin, MarginHealth Health, long UnpricedRequests);

public static partial class UsageReports
{
    /// <summary>Unit cost against <paramref name="revenueUsd"/> (the revenue of the same period) and the gross-margin health.</summary>
    public static UnitEconomicsReport UnitEconomics(IEnumerable<UsageRecord> records, decimal revenueUsd, ReportPeriod? period = null, UnitEconomicsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        options ??= new UnitEconomicsOptions();
        if (revenueUsd < 0) throw new ArgumentOutOfRangeException(nameof(revenueUsd), revenueUsd, "Revenue cannot be negative.");
        if (options.OtherCostOfRevenueUsd < 0) throw new ArgumentOutOfRangeException(nameof(options), options.OtherCostOfRevenueUsd, "OtherCostOfRevenueUsd cannot be negative.");
        if (options.WatchGrossMargin > options.HealthyGrossMargin)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.WatchGrossMargin,
                $"WatchGrossMargin ({options.WatchGrossMargin}) must not exceed HealthyGrossMargin ({options.HealthyGrossMargin}).");
        }

        var total = new TotalsBuilder();
        var users = new HashSet<string>(StringComparer.Ordinal);
        DateOnly? first = null, last = null;
        foreach (var r in In(records, period))
        {
            total.Add(r);
            if (!string.IsNullOrEmpty(r.UserId)) users.Add(r.UserId);
            var day = DayOf(r.Timestamp);
            if (first is null || day < first) first = day;
            if (last is null || day > last) last = day;
        }

        var t = total.Build();
        decimal? margin = revenueUsd == 0 ? null : (revenueUsd - t.CostUsd - options.OtherCostOfRevenueUsd) / revenueUsd;
        var health = margin is not { } m ? MarginHealth.NoRevenue
            : m >= options.HealthyGrossMargin ? MarginHealth.Healthy
            : m >= options.WatchGrossMargin ? MarginHealth.Watch
            : MarginHealth.Unhealthy;
        return new UnitEconomicsReport(
            period ?? (first is { } f && last is { } l ? new ReportPeriod(f, l) : null),
            revenueUsd,
            t.CostUsd,
            options.OtherCostOfRevenueUsd,
            t.Requests,
            users.Count,
            t.CostPerRequestUsd,
            users.Count == 0 ? null : t.CostUsd / users.Count,
            users.Count == 0 ? null : revenueUsd / users.Count,
            revenueUsd == 0 ? null : t.CostUsd / revenueUsd,
            margin,
            health,
            t.UnpricedRequests);
    }
}
