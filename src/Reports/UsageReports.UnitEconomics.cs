using PromptOps.Usage;

namespace PromptOps.Reports;

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
