using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PromptOps.Knowledge;

namespace PromptOps.Budgets;

// The options hold and check the budget actions (experimental surface, PROMPTOPS001: BudgetActionRule/Kind/Trigger/
// Options); the members that expose them carry [Experimental], the rest of the options is stable.
#pragma warning disable PROMPTOPS001

/// <summary>
/// Options of the budget breaker (configuration section <c>PromptOps:Budget</c>). The breaker is on when at least one
/// limit is set. Limits are USD per UTC hour, UTC day and UTC calendar month: the application's (shared by every request
/// and, with Redis, every instance) and, in <see cref="Tenants"/>, <see cref="Users"/> and <see cref="Prompts"/>, each
/// tenant's, user's and prompt's. A request reserves its worst case against every limit it falls under, all or none.
/// </summary>
public sealed class CostBudgetOptions
{
    /// <summary>The most that exists in one window (USD): counters are exact integers of nano-dollars, below 2^53.</summary>
    public const decimal MaxLimitUsd = 9_000_000m;

    /// <summary>The smallest limit: one nano-dollar, the unit spend is counted in.</summary>
    public const decimal MinLimitUsd = 0.000000001m;

    /// <summary>Hard limit per UTC hour (USD); null: none.</summary>
    public decimal? HourlyLimitUsd { get; set; }

    /// <summary>Hard limit per UTC day (USD); null: none.</summary>
    public decimal? DailyLimitUsd { get; set; }

    /// <summary>Monthly budget (USD), a hard limit too, and the base of the pace status; null: none.</summary>
    public decimal? MonthlyBudgetUsd { get; set; }

    /// <summary>The output tokens reserved for a request that sets no <c>MaxOutputTokens</c>. Default: 4,096.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>Let calls to models priced at $0 (self-hosted) through without a reservation. Default: off (they are refused once a limit is reached).</summary>
    public bool ExemptZeroPriceModels { get; set; }

    /// <summary>Let calls to models the price catalogue does not know through, uncounted. Default: off (they are refused: an unknown price is never $0).</summary>
    public bool AllowUnpricedModels { get; set; }

    /// <summary>
    /// While the monthly pace is critical (spend &gt; 1.5× the linear pace), route requests whose tier is above
    /// <see cref="DowngradeTier"/> to that tier. Needs <see cref="MonthlyBudgetUsd"/>. Default: off.
    /// </summary>
    public bool DowngradeWhenCritical { get; set; }

    /// <summary>The tier requests are downgraded to while the pace is critical. Default: <c>fast_cheap</c>.</summary>
    public string DowngradeTier { get; set; } = ModelTiers.FastCheapName;

    /// <summary>How old the monthly spend behind the pace may be before the store is read again. Default: 10 seconds.</summary>
    public TimeSpan PaceRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Limits per tenant (<see cref="PromptOpsMetadata.TenantId"/>, <see cref="PromptOpsContext.BeginTenant"/>).</summary>
    public ScopeBudgetOptions Tenants { get; set; } = new();

    /// <summary>Limits per end user (<see cref="PromptOpsMetadata.UserId"/>, <see cref="PromptOpsContext.BeginUser"/>).</summary>
    public ScopeBudgetOptions Users { get; set; } = new();

    /// <summary>Limits per prompt (<see cref="PromptOpsMetadata.PromptId"/>: a generated method, or an endpoint name).</summary>
    public ScopeBudgetOptions Prompts { get; set; } = new();

    /// <summary>The alert thresholds when <see cref="AlertThresholds"/> is null: 50, 80 and 100 % of each limit.</summary>
    public static IReadOnlyList<int> DefaultAlertThresholds { get; } = [50, 80, 100];

    /// <summary>
    /// Alert when spent + reserved in a window crosses these percentages of its limit, once per threshold, scope id and
    /// period (see <see cref="IBudgetAlertSink"/>). Null (the default): <see cref="DefaultAlertThresholds"/>; empty: no
    /// alerts. An array, not a list, so that configuration (<c>PromptOps:Budget:AlertThresholds:0</c> …) replaces the
    /// defaults instead of adding to them.
    /// </summary>
    public int[]? AlertThresholds { get; set; }

    /// <summary>Live spend anomalies per user (<c>PromptOps:Budget:Anomaly</c>): alert, and optionally stop the user for the day.</summary>
    public SpendAnomalyOptions Anomaly { get; set; } = new();

    /// <summary>Alerts posted to a webhook (<c>PromptOps:Budget:Webhook:Url</c>, <c>:Secret</c>); off unless the address is set.</summary>
    public WebhookAlertOptions Webhook { get; set; } = new();

    /// <summary>How long the answer of an <see cref="IBudgetLimitProvider"/> is kept for a scope id. Default: 1 minute.</summary>
    public TimeSpan LimitCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>True when the application has a limit (the breaker is on).</summary>
    public bool HasApplicationLimit => HourlyLimitUsd is not null || DailyLimitUsd is not null || MonthlyBudgetUsd is not null;

    /// <summary>True when at least one limit is set, of the application or of a scope (the breaker is on).</summary>
    public bool IsConfigured => HasApplicationLimit || Tenants.IsConfigured || Users.IsConfigured || Prompts.IsConfigured || Anomaly?.Enabled == true;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        foreach (var (name, value) in new[] { ("HourlyLimitUsd", HourlyLimitUsd), ("DailyLimitUsd", DailyLimitUsd), ("MonthlyBudgetUsd", MonthlyBudgetUsd) })
        {
            if (value is { } v && (v <= 0 || v > MaxLimitUsd)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:{name} must be in (0, {MaxLimitUsd}], but is {v}.");
            else if (value is { } small && small < MinLimitUsd)
            {
                // Spend is counted in nano-dollars: a smaller limit would round to 0 and refuse every request.
                yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:{name} must be at least {MinLimitUsd} (one nano-dollar, the smallest amount counted), but is {small}.");
            }
        }

        if (DefaultMaxOutputTokens <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Budget:DefaultMaxOutputTokens must be positive, but is {DefaultMaxOutputTokens}.");
        if (!ModelTiers.TryParse(DowngradeTier, out _)) yield return $"PromptOps:Budget:DowngradeTier: unknown tier '{DowngradeTier}'. Valid tiers: {ModelTiers.ValidNames}.";
        if (DowngradeWhenCritical && MonthlyBudgetUsd is null) yield return "PromptOps:Budget:DowngradeWhenCritical needs PromptOps:Budget:MonthlyBudgetUsd (the pace is measured against it).";
        if (PaceRefreshInterval < TimeSpan.Zero) yield return $"PromptOps:Budget:PaceRefreshInterval must not be negative, but is {PaceRefreshInterval}.";
        foreach (var (name, scope) in new[] { ("Tenants", Tenants), ("Users", Users), ("Prompts", Prompts) })
        {
            if (scope is null) yield return $"PromptOps:Budget:{name} must not be null.";
            else
            {
                foreach (var e in scope.GetErrors("PromptOps:Budget:" + name)) yield return e;
            }
        }

        if (AlertThresholds is not null && AlertThresholds.Any(t => t is < 1 or > 100)) yield return $"PromptOps:Budget:AlertThresholds must be percentages in [1, 100], but are {string.Join(", ", AlertThresholds)}.";
        if (Anomaly is null) yield return "PromptOps:Budget:Anomaly must not be null.";
        else
        {
            foreach (var e in Anomaly.GetErrors()) yield return e;
        }

        if (Webhook is null) yield return "PromptOps:Budget:Webhook must not be null.";
        else
        {
            foreach (var e in Webhook.GetErrors()) yield return e;
        }

        if (Actions is null) yield return "PromptOps:Budget:Actions must not be null.";
        else
        {
            foreach (var e in Actions.GetErrors()) yield return e;
            if (MonthlyBudgetUsd is null && Actions.Rules?.Any(r => r is { When: BudgetActionTrigger.PaceWarning or BudgetActionTrigger.PaceCritical }) == true)
                yield return "PromptOps:Budget:Actions: a PaceWarning or PaceCritical rule needs PromptOps:Budget:MonthlyBudgetUsd (the pace is measured against it).";
            if (Anomaly is { Enabled: false } && Actions.Rules?.Any(r => r is { When: BudgetActionTrigger.Anomaly }) == true)
                yield return "PromptOps:Budget:Actions: an Anomaly rule needs PromptOps:Budget:Anomaly:Enabled.";
        }

        if (LimitCacheDuration < TimeSpan.Zero) yield return $"PromptOps:Budget:LimitCacheDuration must not be negative, but is {LimitCacheDuration}.";
    }

    /// <summary>The action table: what to do when the monthly pace runs hot or a user's spend is anomalous (see <see cref="BudgetActionOptions"/>).</summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    public BudgetActionOptions Actions { get; set; } = new();

    /// <summary>
    /// The rows that apply: <see cref="BudgetActionOptions.Rules"/>, plus <c>PaceCritical → DowngradeTier</c> when
    /// <see cref="DowngradeWhenCritical"/> and <c>Anomaly → StopUser</c> when <see cref="SpendAnomalyOptions.StopUser"/>.
    /// </summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    public IReadOnlyList<BudgetActionRule> EffectiveActionRules()
    {
        var rules = new List<BudgetActionRule>(Actions?.Rules?.Where(r => r is not null) ?? []);
        if (DowngradeWhenCritical && !rules.Any(r => r.Action == BudgetActionKind.DowngradeTier))
            rules.Add(new BudgetActionRule { When = BudgetActionTrigger.PaceCritical, Action = BudgetActionKind.DowngradeTier });
        if (Anomaly is { Enabled: true, StopUser: true } && !rules.Any(r => r.Action == BudgetActionKind.StopUser))
            rules.Add(new BudgetActionRule { When = BudgetActionTrigger.Anomaly, Action = BudgetActionKind.StopUser });
        return rules;
    }

    /// <summary>A deep copy that can be changed without changing this instance.</summary>
    internal CostBudgetOptions Clone()
    {
        var copy = (CostBudgetOptions)MemberwiseClone();
        copy.Tenants = Tenants?.Clone()!;
        copy.Users = Users?.Clone()!;
        copy.Prompts = Prompts?.Clone()!;
        copy.AlertThresholds = AlertThresholds is null ? null : [.. AlertThresholds];
        copy.Webhook = Webhook?.Clone()!;
        copy.Anomaly = Anomaly?.Clone()!;
        copy.Actions = Actions?.Clone()!;
        return copy;
    }
}
