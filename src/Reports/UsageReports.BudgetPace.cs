using PromptOps.Budgets;
using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>The pace of <paramref name="monthlyBudgetUsd"/> at <paramref name="asOf"/>: what the month (UTC) has spent up to then (<see cref="BudgetPace.Compute(decimal, decimal, DateTimeOffset)"/>).</summary>
    public static BudgetPaceReport BudgetPace(IEnumerable<UsageRecord> records, decimal monthlyBudgetUsd, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (monthlyBudgetUsd <= 0) throw new ArgumentOutOfRangeException(nameof(monthlyBudgetUsd), monthlyBudgetUsd, "The monthly budget must be positive.");
        var utc = asOf.UtcDateTime;
        var month = ReportPeriod.Month(utc.Year, utc.Month);
        var start = new DateTimeOffset(month.From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var days = new Dictionary<DateOnly, (long Requests, decimal Cost)>();
        decimal spent = 0m;
        long unpriced = 0;
        foreach (var r in records)
        {
            if (r.Timestamp < start || r.Timestamp > asOf) continue;
            spent += r.CostUsd ?? 0m;
            if (r.CostUsd is null) unpriced++;
            var day = DayOf(r.Timestamp);
            days.TryGetValue(day, out var d);
            days[day] = (d.Requests + 1, d.Cost + (r.CostUsd ?? 0m));
        }

        var daily = new ReportPeriod(month.From, DayOf(asOf)).EachDay()
            .Select(day => days.TryGetValue(day, out var d) ? new DailyCost(day, d.Requests, d.Cost) : new DailyCost(day, 0, 0m))
            .ToList();
        return new BudgetPaceReport(month, asOf, Budgets.BudgetPace.Compute(monthlyBudgetUsd, spent, asOf), unpriced, daily);
    }
}
