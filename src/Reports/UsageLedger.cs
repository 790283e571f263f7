using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Reports;

/// <summary>
/// A loaded ledger: usage records in time order, with every report as a method. Load it from a SQLite ledger file
/// (<see cref="LoadSqlite"/>) or from any records (<see cref="From(IEnumerable{UsageRecord})"/>: an <see cref="InMemoryUsageSink"/> snapshot, a test's
/// list). The reports are the ones of <see cref="UsageReports"/>, over these records.
/// </summary>
public sealed class UsageLedger
{
    private readonly UsageRecord[] _records;
    private IReadOnlyList<Budgets.BudgetAlert> _events = [];

    private UsageLedger(UsageRecord[] records)
    {
        _records = records;
        Period = records.Length == 0 ? null : new ReportPeriod(UsageReports.DayOf(records[0].Timestamp), UsageReports.DayOf(records[^1].Timestamp));
    }

    /// <summary>The records, oldest first.</summary>
    public IReadOnlyList<UsageRecord> Records => _records;

    /// <summary>The first to the last day with a record; null for an empty ledger.</summary>
    public ReportPeriod? Period { get; }

    /// <summary>A ledger of <paramref name="records"/> (copied, then ordered by time; records of the same time keep their order).</summary>
    public static UsageLedger From(IEnumerable<UsageRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var array = records.ToArray();
        foreach (var r in array)
        {
            if (r is null) throw new ArgumentException("The records contain null.", nameof(records));
        }

        var sorted = true;
        for (var i = 1; i < array.Length && sorted; i++) sorted = array[i - 1].Timestamp <= array[i].Timestamp;
        if (!sorted) array = [.. array.OrderBy(r => r.Timestamp)];
        return new UsageLedger(array);
    }

    /// <summary>
    /// Loads the SQLite ledger at <paramref name="path"/> (see <see cref="SqliteLedgerReader.Read"/>), optionally only the
    /// records with <paramref name="from"/> ≤ timestamp &lt; <paramref name="to"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a PromptOps ledger or has a newer schema.</exception>
    public static UsageLedger LoadSqlite(string path, DateTimeOffset? from = null, DateTimeOffset? to = null) =>
        new(SqliteLedgerReader.Read(path, from, to).ToArray()) { _events = SqliteLedgerReader.ReadBudgetEvents(path, from, to) };

    /// <summary>The budget's alerts and actions the ledger recorded (schema 4), oldest first; empty for a ledger built from records.</summary>
    public IReadOnlyList<Budgets.BudgetAlert> BudgetEvents => _events;

    /// <summary>A ledger of <paramref name="records"/> and the budget <paramref name="events"/> of the same time.</summary>
    public static UsageLedger From(IEnumerable<UsageRecord> records, IEnumerable<Budgets.BudgetAlert> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var ledger = From(records);
        ledger._events = [.. events.OrderBy(e => e.At)];
        return ledger;
    }

    /// <inheritdoc cref="ProviderCacheReport.Create"/>
    public ProviderCacheReport ProviderCache(ReportPeriod? period = null, Pricing.PriceCatalog? catalog = null) => ProviderCacheReport.Create(_records, period, catalog);

    /// <inheritdoc cref="ConversationReport.Create"/>
    public ConversationReport Conversations(ReportPeriod? period = null, int top = 10) => ConversationReport.Create(_records, period, top);

    /// <inheritdoc cref="ScopeBudgetReport.Create"/>
    public ScopeBudgetReport ScopeBudgets(ReportPeriod? period = null, Budgets.CostBudgetOptions? limits = null, int top = 10) =>
        ScopeBudgetReport.Create(_records, _events, period, limits, top);

    /// <inheritdoc cref="UsageReports.Daily"/>
    public DailyReport Daily(ReportPeriod? period = null) => UsageReports.Daily(_records, period);

    /// <inheritdoc cref="UsageReports.User"/>
    public UserReport User(string userId, ReportPeriod? period = null) => UsageReports.User(_records, userId, period);

    /// <inheritdoc cref="UsageReports.Users"/>
    public IReadOnlyList<UsageBreakdown> Users(ReportPeriod? period = null) => UsageReports.Users(_records, period);

    /// <inheritdoc cref="UsageReports.CostDrivers"/>
    public CostDriversReport CostDrivers(ReportPeriod? period = null, int top = 10, double topUserFraction = 0.2) =>
        UsageReports.CostDrivers(_records, period, top, topUserFraction);

    /// <inheritdoc cref="UsageReports.UnitEconomics"/>
    public UnitEconomicsReport UnitEconomics(decimal revenueUsd, ReportPeriod? period = null, UnitEconomicsOptions? options = null) =>
        UsageReports.UnitEconomics(_records, revenueUsd, period, options);

    /// <inheritdoc cref="UsageReports.Anomalies"/>
    public AnomalyReport Anomalies(double k = 2.0, ReportPeriod? period = null, int minDays = 7, decimal minUserShareOfDailyCost = UsageReports.DefaultMinUserShareOfDailyCost) =>
        UsageReports.Anomalies(_records, k, period, minDays, minUserShareOfDailyCost);

    /// <inheritdoc cref="UsageReports.ReplyQuality"/>
    public ReplyQualityReport ReplyQuality(ReportPeriod? period = null) => UsageReports.ReplyQuality(_records, period);

    /// <inheritdoc cref="UsageReports.BudgetPace"/>
    public BudgetPaceReport BudgetPace(decimal monthlyBudgetUsd, DateTimeOffset asOf) => UsageReports.BudgetPace(_records, monthlyBudgetUsd, asOf);

    /// <inheritdoc cref="UsageReports.SelfHosting(IEnumerable{UsageRecord}, GpuCostModel?, ReportPeriod?)"/>
    public SelfHostingReport SelfHosting(GpuCostModel? gpu = null, ReportPeriod? period = null) => UsageReports.SelfHosting(_records, gpu, period);

    /// <inheritdoc cref="UsageReports.Roadmap"/>
    public OptimizationRoadmap Roadmap(decimal targetReduction, ReportPeriod? period = null, IReadOnlyList<OptimizationLever>? levers = null) =>
        UsageReports.Roadmap(_records, targetReduction, period, levers);
}
