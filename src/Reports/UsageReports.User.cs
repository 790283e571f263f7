using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>The report of the user <paramref name="userId"/> (ordinal match) over <paramref name="period"/> (default: the user's active span).</summary>
    public static UserReport User(IEnumerable<UsageRecord> records, string userId, ReportPeriod? period = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var total = new TotalsBuilder();
        var models = new Dictionary<string, TotalsBuilder>(StringComparer.Ordinal);
        var days = new Dictionary<DateOnly, (long Requests, decimal Cost)>();
        foreach (var r in In(records, period))
        {
            if (!string.Equals(r.UserId, userId, StringComparison.Ordinal)) continue;
            total.Add(r);
            Group(models, Key(r.ModelId)).Add(r);
            var day = DayOf(r.Timestamp);
            days.TryGetValue(day, out var d);
            days[day] = (d.Requests + 1, d.Cost + (r.CostUsd ?? 0m));
        }

        var range = period ?? (days.Count == 0 ? null : new ReportPeriod(days.Keys.Min(), days.Keys.Max()));
        var daily = range is { } p
            ? p.EachDay().Select(day => days.TryGetValue(day, out var d) ? new DailyCost(day, d.Requests, d.Cost) : new DailyCost(day, 0, 0m)).ToList()
            : [];
        var totals = total.Build();
        return new UserReport(userId, range, totals, days.Count, range is { } rp ? totals.CostUsd / rp.Days : 0m, daily, Breakdown(models, totals.CostUsd));
    }

    /// <summary>Every user's totals over <paramref name="period"/>, most expensive first; records without a user are under <see cref="NoneKey"/>.</summary>
    public static IReadOnlyList<UsageBreakdown> Users(IEnumerable<UsageRecord> records, ReportPeriod? period = null)
    {
        var users = new Dictionary<string, TotalsBuilder>(StringComparer.Ordinal);
        decimal cost = 0m;
        foreach (var r in In(records, period))
        {
            Group(users, Key(r.UserId)).Add(r);
            cost += r.CostUsd ?? 0m;
        }

        return Breakdown(users, cost);
    }
}
