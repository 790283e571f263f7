using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// Cost reports over usage records, as typed results (the command-line tool prints them; an application can show
/// them). Every report takes any sequence of <see cref="UsageRecord"/> (a <see cref="UsageLedger"/>, an
/// <see cref="InMemoryUsageSink"/> snapshot, <see cref="Usage.Sqlite.SqliteLedgerReader.Read"/>) and enumerates it once.
/// <para>Conventions: days and hours are UTC; a record belongs to the day its call started. Money is USD as
/// <see cref="decimal"/>. Calls to unpriced models (null cost) count as requests and tokens and in
/// <see cref="UsageTotals.UnpricedRequests"/>, never as $0. A missing model, endpoint or user is grouped under
/// <see cref="NoneKey"/>. Groups are ordered by cost, then requests (both descending), then key (ordinal).</para>
/// </summary>
public static partial class UsageReports
{
    /// <summary>The group key of records without a model, endpoint or user.</summary>
    public const string NoneKey = "(none)";

    /// <summary>The UTC day of <paramref name="timestamp"/>.</summary>
    public static DateOnly DayOf(DateTimeOffset timestamp) => DateOnly.FromDateTime(timestamp.UtcDateTime);

    /// <summary>The period from the first to the last day with a record; null when there is none.</summary>
    public static ReportPeriod? PeriodOf(IEnumerable<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        DateTimeOffset? min = null, max = null;
        foreach (var r in records)
        {
            if (min is null || r.Timestamp < min) min = r.Timestamp;
            if (max is null || r.Timestamp > max) max = r.Timestamp;
        }

        return min is { } a && max is { } b ? new ReportPeriod(DayOf(a), DayOf(b)) : null;
    }

    private static IEnumerable<UsageRecord> In(IEnumerable<UsageRecord> records, ReportPeriod? period)
    {
        ArgumentNullException.ThrowIfNull(records);
        return period is { } p ? records.Where(r => p.Contains(r.Timestamp)) : records;
    }

    private static string Key(string? value) => string.IsNullOrEmpty(value) ? NoneKey : value;

    private static decimal Share(decimal part, decimal whole) => whole == 0m ? 0m : part / whole;

    /// <summary>Orders groups by cost, then requests (descending), then key.</summary>
    private static List<UsageBreakdown> Breakdown(Dictionary<string, TotalsBuilder> groups, decimal totalCost, int? top = null)
    {
        var list = new List<UsageBreakdown>(groups.Count);
        foreach (var (key, b) in groups) list.Add(new UsageBreakdown(key, b.Build(), Share(b.Cost, totalCost)));
        list.Sort(static (x, y) =>
        {
            var c = y.Totals.CostUsd.CompareTo(x.Totals.CostUsd);
            if (c != 0) return c;
            c = y.Totals.Requests.CompareTo(x.Totals.Requests);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        });
        if (top is { } n && list.Count > n) list.RemoveRange(n, list.Count - n);
        return list;
    }

    private static TotalsBuilder Group(Dictionary<string, TotalsBuilder> groups, string key)
    {
        if (!groups.TryGetValue(key, out var b)) groups[key] = b = new TotalsBuilder();
        return b;
    }
}
