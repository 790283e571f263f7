using PromptOps.Budgets;
using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// Spend against every scope's limits in a period, from a ledger (schema 4 records carry the tenant): for the application
/// and each tenant, user and prompt, the peak day's spend and the last month's spend, each against its limit from
/// <see cref="CostBudgetOptions"/> when given, plus the budget's alerts and actions recorded in the period. Limits decided at
/// run time by an <see cref="IBudgetLimitProvider"/> are not known here: the alerts carry the limit they were raised against.
/// </summary>
public sealed record ScopeBudgetReport
{
    /// <summary>The rows, per scope (application, tenant, user, prompt) the most used share of a limit first, then the most spent.</summary>
    public required IReadOnlyList<ScopeSpend> Rows { get; init; }

    /// <summary>Ids per scope in the period (before <see cref="Rows"/> keeps the top ones).</summary>
    public required IReadOnlyDictionary<BudgetScope, int> IdCount { get; init; }

    /// <summary>The budget's alerts and actions in the period, oldest first.</summary>
    public required IReadOnlyList<BudgetAlert> Events { get; init; }

    /// <summary>True when limits were given (else the rows show spend only).</summary>
    public required bool HasLimits { get; init; }

    /// <summary>
    /// Builds the report over <paramref name="records"/> and <paramref name="events"/> in <paramref name="period"/>, keeping the
    /// <paramref name="top"/> ids per scope (those over a limit always stay).
    /// </summary>
    public static ScopeBudgetReport Create(IEnumerable<UsageRecord> records, IEnumerable<BudgetAlert> events, ReportPeriod? period, CostBudgetOptions? limits = null, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var spend = new Dictionary<(BudgetScope Scope, string Id), Spend>();
        foreach (var r in records)
        {
            if (r.CostUsd is not { } cost || cost <= 0 || (period is { } p && !p.Contains(r.Timestamp))) continue;
            var day = UsageReports.DayOf(r.Timestamp);
            Add(BudgetScope.Application, "", day, cost);
            if (!string.IsNullOrEmpty(r.TenantId)) Add(BudgetScope.Tenant, r.TenantId, day, cost);
            if (!string.IsNullOrEmpty(r.UserId)) Add(BudgetScope.User, r.UserId, day, cost);
            if (!string.IsNullOrEmpty(r.PromptId)) Add(BudgetScope.Prompt, r.PromptId, day, cost);
        }

        var rows = new List<ScopeSpend>();
        var counts = new Dictionary<BudgetScope, int>();
        foreach (var group in spend.GroupBy(s => s.Key.Scope).OrderBy(g => g.Key))
        {
            counts[group.Key] = group.Count();
            var scoped = group.Select(s => Row(s.Key.Scope, s.Key.Id, s.Value)).ToList();
            var kept = scoped.OrderByDescending(r => r.MaxShare ?? -1).ThenByDescending(r => r.MonthUsd).ThenBy(r => r.Id, StringComparer.Ordinal)
                .Where((r, i) => i < top || r.MaxShare > 1).ToList();
            rows.AddRange(kept);
        }

        var inPeriod = events.Where(e => period is not { } p || p.Contains(e.At)).OrderBy(e => e.At).ToList();
        return new ScopeBudgetReport { Rows = rows, IdCount = counts, Events = inPeriod, HasLimits = limits is not null };

        void Add(BudgetScope scope, string id, DateOnly day, decimal cost)
        {
            if (!spend.TryGetValue((scope, id), out var s)) spend[(scope, id)] = s = new Spend();
            s.Days[day] = s.Days.GetValueOrDefault(day) + cost;
            s.Total += cost;
        }

        ScopeSpend Row(BudgetScope scope, string id, Spend s)
        {
            var (peakDay, peakUsd) = s.Days.OrderByDescending(d => d.Value).ThenBy(d => d.Key).First();
            var lastMonth = s.Days.Keys.Max();
            var monthUsd = s.Days.Where(d => d.Key.Year == lastMonth.Year && d.Key.Month == lastMonth.Month).Sum(d => d.Value);
            var own = LimitsOf(scope, id);
            return new ScopeSpend
            {
                Scope = scope,
                Id = scope == BudgetScope.Application ? null : id,
                TotalUsd = s.Total,
                PeakDay = peakDay,
                PeakDayUsd = peakUsd,
                DailyLimitUsd = own?.DailyLimitUsd,
                Month = new DateOnly(lastMonth.Year, lastMonth.Month, 1),
                MonthUsd = monthUsd,
                MonthlyLimitUsd = own?.MonthlyBudgetUsd,
            };
        }

        BudgetLimits? LimitsOf(BudgetScope scope, string id) => limits is null ? null : scope switch
        {
            BudgetScope.Application => new BudgetLimits { HourlyLimitUsd = limits.HourlyLimitUsd, DailyLimitUsd = limits.DailyLimitUsd, MonthlyBudgetUsd = limits.MonthlyBudgetUsd },
            BudgetScope.Tenant => limits.Tenants?.For(id),
            BudgetScope.User => limits.Users?.For(id),
            _ => limits.Prompts?.For(id),
        };
    }

    private sealed class Spend
    {
        public readonly Dictionary<DateOnly, decimal> Days = [];
        public decimal Total;
    }
}
