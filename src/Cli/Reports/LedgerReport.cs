using PromptOps.Reports;

namespace PromptOps.Cli.Reports;

/// <summary>Everything <c>promptops report</c> shows, computed once from the ledger (the console and the HTML render the same figures).</summary>
internal sealed record LedgerReport(
    string Source,
    UsageLedger Ledger,
    ReportPeriod? Period,
    DailyReport Daily,
    CostDriversReport Drivers,
    IReadOnlyList<UsageBreakdown> Users,
    AnomalyReport Anomalies,
    BudgetPaceReport? Pace,
    UnitEconomicsReport? UnitEconomics,
    UserReport? User)
{
    /// <summary>Calls recorded as unpriced that the current catalogue priced (see <c>Ledgers.PriceUnpriced</c>).</summary>
    public int Repriced { get; init; }

    /// <summary>Cut-off answers, escalations and replies that failed validation per prompt, in the report's period.</summary>
    public ReplyQualityReport ReplyQuality => Ledger.ReplyQuality(Period);

    /// <summary>The budget limits of <c>--budget-config</c>, or null (the scope table then shows spend only).</summary>
    public Budgets.CostBudgetOptions? Limits { get; init; }

    /// <summary>Spend per tenant, user and prompt against their limits, and the budget's alerts and actions, in the period.</summary>
    public ScopeBudgetReport ScopeBudgets => _scopeBudgets ??= Ledger.ScopeBudgets(Period, Limits);

    private ScopeBudgetReport? _scopeBudgets;

    /// <summary>How each conversation's input grew in the period (records with a conversation id).</summary>
    public ConversationReport Conversations => _conversations ??= Ledger.Conversations(Period);

    private ConversationReport? _conversations;

    /// <summary>The price catalogue the report prices with (<c>--prices</c>, else the default catalogue).</summary>
    public Pricing.PriceCatalog? Catalog { get; init; }

    /// <summary>What the provider's own prompt cache saved in the period: cache reads at the full input price minus what was paid, net of the write premium.</summary>
    public ProviderCacheReport ProviderCache => _providerCache ??= Ledger.ProviderCache(Period, Catalog);

    private ProviderCacheReport? _providerCache;

    /// <summary>One line for a budget alert or action (the console and the HTML say the same).</summary>
    public static string Describe(Budgets.BudgetAlert e)
    {
        var who = e.Scope == Budgets.BudgetScope.Application ? "application" : $"{e.Scope.ToString().ToLowerInvariant()} '{e.ScopeId}'";
        var window = e.Window.ToString().ToLowerInvariant();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        return e.Kind switch
        {
            Budgets.BudgetAlertKind.Action when e.Undone => string.Create(inv, $"action {e.Action} undone ({who}): its period ended"),
            Budgets.BudgetAlertKind.Action => string.Create(inv, $"action {e.Action} taken ({e.Trigger}, {who}): ${e.SpentOrReservedUsd:N4} of ${e.LimitUsd:N4}, until {e.PeriodEnd:yyyy-MM-dd HH:mm}"),
            Budgets.BudgetAlertKind.Anomaly => string.Create(inv, $"anomaly: {who} spent ${e.SpentOrReservedUsd:N4} in an hour, above ${e.LimitUsd:N4}{(e.Refused ? "; stopped for the day" : "")}"),
            _ => string.Create(inv, $"{e.ThresholdPercent}% of the {window} limit of {who}: ${e.SpentOrReservedUsd:N4} of ${e.LimitUsd:N4}{(e.Refused ? "; a request was refused" : "")}"),
        };
    }

    /// <summary>The ledger re-priced against a baseline model (<c>--compare</c>), or null.</summary>
    public BaselineComparison? Comparison { get; init; }

    /// <summary>Builds the report; <paramref name="userId"/> adds that user's report.</summary>
    public static LedgerReport Create(string source, UsageLedger ledger, ReportPeriod? period, decimal? monthlyBudget, DateTimeOffset? asOf, decimal? revenue, double k, string? userId)
    {
        var range = period ?? ledger.Period;
        UserReport? user = null;
        if (userId is not null)
        {
            user = ledger.User(userId, period);
            if (user.Totals.Requests == 0) throw new CliInputException($"the ledger has no record of user '{userId}'{(period is { } p ? $" in {p}" : "")}.");
        }

        var reportTime = asOf ?? (ledger.Records.Count > 0 ? ledger.Records[^1].Timestamp : DateTimeOffset.UtcNow);
        return new LedgerReport(
            source,
            ledger,
            range,
            ledger.Daily(period),
            ledger.CostDrivers(period),
            ledger.Users(period),
            ledger.Anomalies(k, period),
            monthlyBudget is { } budget ? ledger.BudgetPace(budget, reportTime) : null,
            revenue is { } r ? ledger.UnitEconomics(r, period) : null,
            user);
    }

    /// <summary>The users' cumulative share of cost, most expensive user first (the Pareto curve): (share of users, share of cost).</summary>
    public IReadOnlyList<(double Users, double Cost)> ParetoCurve()
    {
        var costs = Users.Where(u => u.Key != UsageReports.NoneKey).Select(u => u.Totals.CostUsd).OrderByDescending(c => c).ToList();
        var total = costs.Sum();
        var points = new List<(double, double)>(costs.Count + 1) { (0, 0) };
        decimal running = 0;
        for (var i = 0; i < costs.Count; i++)
        {
            running += costs[i];
            points.Add(((i + 1) / (double)costs.Count, total == 0 ? 0 : (double)(running / total)));
        }

        return points;
    }
}
