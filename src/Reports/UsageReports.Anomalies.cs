using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>
    /// Finds days whose cost exceeds mean + <paramref name="k"/>·σ of the daily cost, over all calls and for each user.
    /// Every series spans the whole <paramref name="period"/> (default: the ledger's first to last day), days without
    /// calls counting as $0 — so a user who suddenly spends is found. σ is the population standard deviation of the
    /// series, the spike day included; hence in a series of n days no day can be more than √(n − 1) σ above the mean
    /// (with k = 2, a lone spike needs at least 6 days). A series with σ = 0 (every day the same) has no spike; a series
    /// shorter than <paramref name="minDays"/> is not evaluated. A per-user spike must also exceed the user's mean by at least
    /// <paramref name="minUserShareOfDailyCost"/> of the overall mean daily cost (default 10%), so sparse users are not reported for noise.
    /// </summary>
    public static AnomalyReport Anomalies(IEnumerable<UsageRecord> records, double k = 2.0, ReportPeriod? period = null, int minDays = 7,
        decimal minUserShareOfDailyCost = DefaultMinUserShareOfDailyCost)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (!(k > 0) || double.IsInfinity(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be a positive number of standard deviations.");
        ArgumentOutOfRangeException.ThrowIfLessThan(minDays, 2);
        if (minUserShareOfDailyCost is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(minUserShareOfDailyCost), minUserShareOfDailyCost, "The share must be in [0, 1].");

        var overall = new Dictionary<DateOnly, decimal>();
        var perUser = new Dictionary<string, Dictionary<DateOnly, decimal>>(StringComparer.Ordinal);
        DateOnly? first = null, last = null;
        foreach (var r in In(records, period))
        {
            var day = DayOf(r.Timestamp);
            if (first is null || day < first) first = day;
            if (last is null || day > last) last = day;
            var cost = r.CostUsd ?? 0m;
            overall[day] = overall.GetValueOrDefault(day) + cost;
            if (string.IsNullOrEmpty(r.UserId)) continue;
            if (!perUser.TryGetValue(r.UserId, out var series)) perUser[r.UserId] = series = new Dictionary<DateOnly, decimal>();
            series[day] = series.GetValueOrDefault(day) + cost;
        }

        var range = period ?? (first is { } f && last is { } l ? new ReportPeriod(f, l) : null);
        if (range is not { } p) return new AnomalyReport(null, k, minDays, new DailySeriesStats(0, 0m, 0m, 0m, false), [], []);

        var (stats, spikes) = Detect(overall, p, k, minDays, userId: null);
        var users = new List<UserAnomalies>();
        var floor = stats.MeanUsd * minUserShareOfDailyCost;
        foreach (var (user, series) in perUser)
        {
            var (s, sp) = Detect(series, p, k, minDays, user);
            sp.RemoveAll(spike => spike.ExcessUsd < floor); // statistically unusual for the user, but immaterial to the bill
            if (sp.Count > 0) users.Add(new UserAnomalies(user, s, sp));
        }

        users.Sort(static (a, b) =>
        {
            var c = b.Spikes.Max(s => s.ZScore).CompareTo(a.Spikes.Max(s => s.ZScore));
            return c != 0 ? c : string.CompareOrdinal(a.UserId, b.UserId);
        });
        return new AnomalyReport(p, k, minDays, stats, spikes, users);
    }

    /// <summary>
    /// The default materiality of a per-user spike: its excess over the user's mean must be at least this share of the
    /// overall mean daily cost. Without it, a user with a handful of calls a month "spikes" on every active day.
    /// </summary>
    public const decimal DefaultMinUserShareOfDailyCost = 0.10m;

    private static (DailySeriesStats Stats, List<CostSpike> Spikes) Detect(Dictionary<DateOnly, decimal> series, ReportPeriod period, double k, int minDays, string? userId)
    {
        var n = period.Days;
        decimal sum = 0m;
        foreach (var v in series.Values) sum += v;
        var mean = sum / n;
        decimal squares = 0m;
        foreach (var day in period.EachDay())
        {
            var d = series.GetValueOrDefault(day) - mean;
            squares += d * d;
        }

        var sigma = (decimal)Math.Sqrt((double)(squares / n));
        var threshold = mean + ((decimal)k * sigma);
        var evaluated = n >= minDays;
        var spikes = new List<CostSpike>();
        if (evaluated && sigma > 0m)
        {
            foreach (var day in period.EachDay())
            {
                var cost = series.GetValueOrDefault(day);
                if (cost > threshold) spikes.Add(new CostSpike(day, userId, cost, (double)((cost - mean) / sigma), cost - mean));
            }
        }

        return (new DailySeriesStats(n, mean, sigma, threshold, evaluated), spikes);
    }
}
