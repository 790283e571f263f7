using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>
    /// The daily report by model and endpoint over <paramref name="period"/> (default: the first to the last day with a
    /// record).
    /// </summary>
    public static DailyReport Daily(IEnumerable<UsageRecord> records, ReportPeriod? period = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var days = new Dictionary<DateOnly, DayBuilder>();
        var total = new TotalsBuilder();
        DateOnly? first = null, last = null;

        // One pass; consecutive records of the same day (a time-ordered ledger) skip the day lookup.
        DateOnly currentDay = default;
        DayBuilder? current = null;
        long currentDayNumber = long.MinValue;
        foreach (var r in records)
        {
            var utcTicks = r.Timestamp.UtcTicks;
            var dayNumber = utcTicks / TimeSpan.TicksPerDay;
            if (dayNumber != currentDayNumber || current is null)
            {
                currentDayNumber = dayNumber;
                currentDay = DateOnly.FromDayNumber((int)dayNumber);
                if (period is { } p && !p.Contains(currentDay))
                {
                    current = null;
                    currentDayNumber = long.MinValue;
                    continue;
                }

                if (!days.TryGetValue(currentDay, out current)) days[currentDay] = current = new DayBuilder();
                if (first is null || currentDay < first) first = currentDay;
                if (last is null || currentDay > last) last = currentDay;
            }

            current.Add(r);
            total.Add(r);
        }

        var range = period ?? (first is { } f && last is { } l ? new ReportPeriod(f, l) : null);
        var rows = new List<DailyUsage>(range?.Days ?? 0);
        if (range is { } rp)
        {
            foreach (var day in rp.EachDay())
            {
                rows.Add(days.TryGetValue(day, out var b)
                    ? new DailyUsage(day, b.Totals.Build(), Breakdown(b.ByModel, b.Totals.Cost), Breakdown(b.ByEndpoint, b.Totals.Cost))
                    : new DailyUsage(day, UsageTotals.Empty, [], []));
            }
        }

        return new DailyReport(range, total.Build(), rows);
    }

    private sealed class DayBuilder
    {
        // The last group used, per dimension: a ledger's consecutive records often share the model and endpoint.
        private string? _lastModel, _lastEndpoint;
        private TotalsBuilder? _model, _endpoint;

        public TotalsBuilder Totals { get; } = new();

        public Dictionary<string, TotalsBuilder> ByModel { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, TotalsBuilder> ByEndpoint { get; } = new(StringComparer.Ordinal);

        public void Add(UsageRecord r)
        {
            Totals.Add(r);
            var model = Key(r.ModelId);
            if (_model is null || !ReferenceEquals(model, _lastModel)) { _model = Group(ByModel, model); _lastModel = model; }
            _model.Add(r);
            var endpoint = Key(r.Endpoint);
            if (_endpoint is null || !ReferenceEquals(endpoint, _lastEndpoint)) { _endpoint = Group(ByEndpoint, endpoint); _lastEndpoint = endpoint; }
            _endpoint.Add(r);
        }
    }
}
