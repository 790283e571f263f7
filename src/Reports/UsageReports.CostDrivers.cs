using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>
    /// The cost drivers over <paramref name="period"/> (default: all records): the <paramref name="top"/> endpoints, models
    /// and users, the share of the top <paramref name="topUserFraction"/> of users (default 20%), and the peak hour.
    /// </summary>
    public static CostDriversReport CostDrivers(IEnumerable<UsageRecord> records, ReportPeriod? period = null, int top = 10, double topUserFraction = 0.2)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        if (!(topUserFraction > 0 && topUserFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(topUserFraction), topUserFraction, "The top-user fraction must be in (0, 1].");

        var total = new TotalsBuilder();
        var endpoints = new Dictionary<string, TotalsBuilder>(StringComparer.Ordinal);
        var models = new Dictionary<string, TotalsBuilder>(StringComparer.Ordinal);
        var users = new Dictionary<string, TotalsBuilder>(StringComparer.Ordinal);
        var hourRequests = new long[24];
        var hourCost = new decimal[24];
        decimal unattributed = 0m;
        DateOnly? first = null, last = null;
        foreach (var r in In(records, period))
        {
            total.Add(r);
            Group(endpoints, Key(r.Endpoint)).Add(r);
            Group(models, Key(r.ModelId)).Add(r);
            if (string.IsNullOrEmpty(r.UserId)) unattributed += r.CostUsd ?? 0m;
            else Group(users, r.UserId).Add(r);
            var hour = r.Timestamp.UtcDateTime.Hour;
            hourRequests[hour]++;
            hourCost[hour] += r.CostUsd ?? 0m;
            var day = DayOf(r.Timestamp);
            if (first is null || day < first) first = day;
            if (last is null || day > last) last = day;
        }

        var totals = total.Build();
        var attributed = totals.CostUsd - unattributed;
        var allUsers = Breakdown(users, attributed);
        var topCount = allUsers.Count == 0 ? 0 : (int)Math.Ceiling(topUserFraction * allUsers.Count - 1e-9);
        var topCost = allUsers.Take(topCount).Sum(u => u.Totals.CostUsd);

        int? peak = null;
        for (var h = 0; h < 24; h++)
        {
            if (hourRequests[h] == 0) continue;
            if (peak is not { } p || hourCost[h] > hourCost[p] || (hourCost[h] == hourCost[p] && hourRequests[h] > hourRequests[p])) peak = h;
        }

        return new CostDriversReport(
            period ?? (first is { } f && last is { } l ? new ReportPeriod(f, l) : null),
            totals,
            Breakdown(endpoints, totals.CostUsd, top),
            Breakdown(models, totals.CostUsd, top),
            allUsers.Take(top).ToList(),
            allUsers.Count,
            topCount,
            topCost,
            Share(topCost, attributed),
            unattributed,
            Enumerable.Range(0, 24).Select(h => new HourlyUsage(h, hourRequests[h], hourCost[h])).ToList(),
            peak);
    }
}
