using System.Diagnostics.CodeAnalysis;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps.Budgets;

// The budget runs its actions (experimental surface, PROMPTOPS001: BudgetActionRule/Kind/Trigger/Options); its own
// public members that expose them carry [Experimental], the rest of its surface is stable.
#pragma warning disable PROMPTOPS001

/// <summary>
/// The cost budget: the application's hourly, daily and monthly limits and those of each tenant, user and prompt
/// (<see cref="CostBudgetOptions.Tenants"/>, <see cref="CostBudgetOptions.Users"/>, <see cref="CostBudgetOptions.Prompts"/>,
/// or an <see cref="IBudgetLimitProvider"/>) over an <see cref="IBudgetStore"/>. A request reserves its worst case in every
/// window of every scope it falls in with one atomic store operation — all or none. The budget breaker
/// (<see cref="CostBudgetChatClient"/>) reserves and settles through it; the downgrade layer reads the application's pace.
/// Amounts are counted in nano-dollars (exact integers). Windows are UTC hours, days and calendar months, keyed by their
/// start; a reservation is settled in the windows it was made in, so nothing is lost or counted twice when a window ends
/// while a call is in flight. Crossing an alert threshold raises a <see cref="BudgetAlert"/> once per threshold, scope id
/// and period across every instance sharing the store (<see cref="IBudgetStore.TryClaimOnceAsync"/>).
/// </summary>
public sealed class CostBudget
{
    private const decimal NanoPerUsd = 1_000_000_000m;
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private readonly (BudgetWindow Window, long LimitNano)[] _windows;
    private readonly int _monthIndex;
    private readonly object _paceGate = new();
    private (long TotalNano, string MonthKey, long AtTimestamp)? _month;
    private volatile WindowSet? _current;
    private readonly IBudgetLimitProvider? _limitProvider;
    private readonly IBudgetAlertSink[] _alertSinks;
    private readonly ILogger _logger;
    private readonly PromptOpsMetrics _metrics;
    private readonly int[] _thresholds;
    private readonly ConcurrentDictionary<(BudgetScope, string), (BudgetLimits? Limits, long At)> _providedLimits = new();
    private readonly ConcurrentDictionary<string, int> _alertsHandled = new(StringComparer.Ordinal);
    private readonly SpendAnomalyDetector? _anomalies;
    private readonly bool _scoped;
    private readonly (BudgetScope Scope, string? Id, BudgetWindow Window)[] _appScopes;

    /// <summary>Creates the budget (optionally with scope limits decided at run time and alert sinks).</summary>
    /// <param name="options">Limits and behaviour; validated here.</param>
    /// <param name="store">Where spend is counted.</param>
    /// <param name="prices">The price catalogue (model prices, cached-input prices).</param>
    /// <param name="leaseDuration">How long a reservation lives if it is never settled.</param>
    /// <param name="timeProvider">The clock (windows, leases).</param>
    /// <param name="limitProvider">Limits per tenant, user or prompt decided at run time; null: the configured ones.</param>
    /// <param name="alertSinks">Where alerts go (besides the log and the <c>promptops.budget.alerts</c> metric).</param>
    /// <param name="logger">The log of alerts and sink failures.</param>
    /// <param name="metrics">The metrics alerts are counted in.</param>
    public CostBudget(CostBudgetOptions options, IBudgetStore store, PriceCatalog? prices = null, TimeSpan? leaseDuration = null, TimeProvider? timeProvider = null,
        IBudgetLimitProvider? limitProvider = null, IEnumerable<IBudgetAlertSink>? alertSinks = null, ILogger? logger = null, PromptOpsMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var errors = options.GetErrors().ToList();
        if (!options.IsConfigured && limitProvider is null) errors.Add(NoLimitError);
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
        Options = options.Clone();
        Store = store;
        Prices = prices ?? new PriceCatalog();
        LeaseDuration = leaseDuration ?? new BudgetStoreOptions().LeaseDuration;
        if (LeaseDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(leaseDuration), leaseDuration, "The lease duration must be positive.");
        Time = timeProvider ?? TimeProvider.System;
        var windows = new List<(BudgetWindow, long)>();
        if (options.HourlyLimitUsd is { } h) windows.Add((BudgetWindow.Hour, ToNanoFloor(h)));
        if (options.DailyLimitUsd is { } d) windows.Add((BudgetWindow.Day, ToNanoFloor(d)));
        if (options.MonthlyBudgetUsd is { } m) windows.Add((BudgetWindow.Month, ToNanoFloor(m)));
        _windows = [.. windows];
        _monthIndex = Array.FindIndex(_windows, w => w.Window == BudgetWindow.Month);
        _limitProvider = limitProvider;
        _alertSinks = alertSinks?.ToArray() ?? [];
        _logger = logger ?? NullLogger.Instance;
        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _scoped = limitProvider is not null || Options.Tenants.IsConfigured || Options.Users.IsConfigured || Options.Prompts.IsConfigured;
        _appScopes = [.. _windows.Select(w => (BudgetScope.Application, (string?)null, w.Window))];
        var rules = Options.EffectiveActionRules();
        Actions = new BudgetActions(this, rules, _metrics, _logger, PublishAsync);
        _anomalies = Options.Anomaly.Enabled ? new SpendAnomalyDetector(WithStop(Options.Anomaly, Actions.StopsUsers)) : null;
        _thresholds = [.. (Options.AlertThresholds ?? CostBudgetOptions.DefaultAlertThresholds).Distinct().Order()];
        _lowersUserLimits = Actions.LowersUserLimits;
    }

    /// <summary>True when an action may lower users' limits (their limits then vary within an hour).</summary>
    private readonly bool _lowersUserLimits;

    /// <summary>The action table's state (pace actions taken this month, users stopped today).</summary>
    [Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
    internal BudgetActions Actions { get; }

    private static SpendAnomalyOptions WithStop(SpendAnomalyOptions options, bool stop)
    {
        var copy = options.Clone();
        copy.StopUser = stop;
        return copy;
    }

    /// <summary>The error when neither a limit nor a limit provider is configured.</summary>
    internal const string NoLimitError = "PromptOps:Budget: no limit is set (HourlyLimitUsd, DailyLimitUsd, MonthlyBudgetUsd, or a limit in Tenants, Users or Prompts, or an IBudgetLimitProvider).";

    /// <summary>The options (a validated copy).</summary>
    public CostBudgetOptions Options { get; }

    /// <summary>Where spend is counted.</summary>
    public IBudgetStore Store { get; }

    /// <summary>The price catalogue.</summary>
    public PriceCatalog Prices { get; }

    /// <summary>How long an unsettled reservation lives.</summary>
    public TimeSpan LeaseDuration { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// Every limited window of the application and of <paramref name="subject"/>'s tenant, user and prompt (the
    /// application's alone for <see cref="BudgetSubject.None"/>, the default), with what is spent or reserved in it now,
    /// and the application's monthly pace.
    /// </summary>
    public async ValueTask<BudgetStatus> GetStatusAsync(BudgetSubject subject = default, CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var (charges, scopes) = await ChargesAsync(0, subject, now, cancellationToken).ConfigureAwait(false);
        var totals = charges.Count == 0 ? [] : await Store.GetTotalsAsync(charges.Select(c => c.Key).ToArray(), now, cancellationToken).ConfigureAwait(false);
        var windows = new BudgetWindowStatus[charges.Count];
        BudgetPace? pace = null;
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = new BudgetWindowStatus(scopes[i].Window, ToUsd(totals[i]), ToUsd(charges[i].Limit)) { Scope = scopes[i].Scope, ScopeId = scopes[i].Id };
            if (i == _monthIndex)
            {
                RememberMonth(totals[i], charges[i].Key);
                pace = BudgetPace.Compute(Options.MonthlyBudgetUsd!.Value, ToUsd(totals[i]), now);
            }
        }

        return new BudgetStatus(windows, pace);
    }

    /// <summary>
    /// The monthly pace from the last known monthly spend (every reservation refreshes it; the store is read again when
    /// it is older than <see cref="CostBudgetOptions.PaceRefreshInterval"/>). Null without a monthly budget.
    /// </summary>
    public async ValueTask<BudgetPace?> GetPaceAsync(CancellationToken cancellationToken = default)
    {
        if (Options.MonthlyBudgetUsd is not { } budget) return null;
        var now = Time.GetUtcNow();
        var monthKey = Key(BudgetWindow.Month, now);
        long total;
        lock (_paceGate)
        {
            if (_month is { } m && m.MonthKey == monthKey && Time.GetElapsedTime(m.AtTimestamp) <= Options.PaceRefreshInterval) total = m.TotalNano;
            else total = -1;
        }

        if (total < 0)
        {
            total = (await Store.GetTotalsAsync([monthKey], now, cancellationToken).ConfigureAwait(false))[0];
            RememberMonth(total, monthKey);
        }

        return BudgetPace.Compute(budget, ToUsd(total), now);
    }

    /// <summary>
    /// Reserves <paramref name="worstCaseUsd"/> in every window of the application and of <paramref name="subject"/>'s
    /// tenant, user and prompt (the application's alone for <see cref="BudgetSubject.None"/>, the default) — all in one
    /// atomic store operation, all or none — or throws a
    /// <see cref="BudgetExceededException"/> naming the first limit it does not fit in. Raises the alerts whose threshold
    /// the reservation crossed (and the 100 % alert of a refusing limit). The returned lease must be settled with
    /// <see cref="SettleAsync"/>.
    /// </summary>
    public ValueTask<BudgetLease> ReserveAsync(string? modelId, decimal worstCaseUsd, BudgetSubject subject = default, CancellationToken cancellationToken = default) =>
        ReserveAsync(modelId, worstCaseUsd, subject, LeaseDuration, alertIfRefused: true, cancellationToken);

    /// <summary>
    /// <see cref="ReserveAsync(string?, decimal, BudgetSubject, CancellationToken)"/> with a lease that lasts
    /// <paramref name="leaseDuration"/> instead of <see cref="LeaseDuration"/>: for a call that may take longer than the lease
    /// (a deferrable call waiting for its provider batch), so its reservation holds the money until it is settled. With
    /// <paramref name="alertIfRefused"/> false a refusal raises no alert: the caller will try again with a smaller amount
    /// (a first call reserved on the byte bound of its input), and only that outcome may alert — a 100 % "refused" alert
    /// for a call then admitted would be false, and would use up the window's alerts.
    /// </summary>
    internal async ValueTask<BudgetLease> ReserveAsync(string? modelId, decimal worstCaseUsd, BudgetSubject subject, TimeSpan leaseDuration, bool alertIfRefused, CancellationToken cancellationToken)
    {
        if (leaseDuration <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(leaseDuration), leaseDuration, "The lease duration must be positive.");
        if (worstCaseUsd < 0) throw new ArgumentOutOfRangeException(nameof(worstCaseUsd), worstCaseUsd, "The worst case cannot be negative.");
        var now = Time.GetUtcNow();
        if (subject.UserId is { } stoppedUser && Actions.StopsUsers)
        {
            if (_anomalies?.StoppedToday(stoppedUser, now) is { } stop)
                throw new SpendAnomalyException(stoppedUser, stop.HourUsd, stop.CeilingUsd, End(BudgetWindow.Day, now) - now);
            if (await Actions.IsStoppedAsync(stoppedUser, now).ConfigureAwait(false))
                throw new SpendAnomalyException(stoppedUser, End(BudgetWindow.Day, now) - now);
        }

        var (charges, scopes) = await ChargesAsync(ToNanoCeiling(worstCaseUsd), subject, now, cancellationToken).ConfigureAwait(false);
        if (charges.Count == 0) return new BudgetLease(null, [], worstCaseUsd) { Subject = subject }; // no limit applies to this request

        var reservation = await Store.TryReserveAsync(charges, now, now + leaseDuration, cancellationToken).ConfigureAwait(false);
        // The application's windows come first in every request's charges: the month key is the application's (read from its
        // set for this hour, not from the request's charges, which may be a subject's set).
        if (_monthIndex >= 0 && _monthIndex < reservation.Totals.Count) RememberMonth(reservation.Totals[_monthIndex], CurrentWindows(now).Keys[_monthIndex]);
        if (alertIfRefused || reservation.LeaseId is not null) await RaiseAlertsAsync(charges, scopes, reservation, now).ConfigureAwait(false);
        if (reservation.LeaseId is not { } leaseId)
        {
            var i = reservation.RefusedIndex;
            var (scope, id, window) = scopes[i];
            throw new BudgetExceededException(window, ToUsd(reservation.Totals[i]), ToUsd(charges[i].Limit), worstCaseUsd, modelId, End(window, now) - now, scope, id, subject.UserId);
        }

        return new BudgetLease(leaseId, charges, worstCaseUsd) { Subject = subject };
    }

    /// <summary>
    /// Settles a lease with what the call really cost: <paramref name="actualUsd"/> replaces the reserved worst case in
    /// every window. 0 releases the reservation. Settling a lease twice has no effect.
    /// </summary>
    public async ValueTask SettleAsync(BudgetLease lease, decimal actualUsd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!lease.TryMarkSettled()) return;
        var now = Time.GetUtcNow();
        if (lease.LeaseId is not null)
        {
            var amount = ToNanoCeiling(Math.Max(0, actualUsd));
            // The same amount on every counter: one small object whatever the number of counters, not an array.
            await Store.SettleAsync(lease.LeaseId, lease.Charges, new UniformAmounts(amount, lease.Charges.Count), now, cancellationToken).ConfigureAwait(false);
        }

        if (_anomalies is not null && lease.Subject.UserId is { } user && actualUsd > 0 && _anomalies.Record(user, actualUsd, now) is { } anomaly)
        {
            await RaiseAnomalyAsync(anomaly, now).ConfigureAwait(false);
            if (Actions.StopsUsers) await Actions.StopAsync(anomaly, now).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The cost of a finished call from its usage: input at the input price, cached input at the cached price, cache writes
    /// (<see cref="ProviderUsage.CacheWriteInputTokens"/>) at the cache-write price (1-hour writes at
    /// <see cref="CacheWritePrices.OneHourPerMillion"/>), output at the output price — the same
    /// formula as the usage meter's.
    /// </summary>
    public static decimal CostOf(ModelPriceInfo price, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(usage);
        var input = Math.Max(0, usage.InputTokenCount ?? 0);
        var writes = Math.Max(0, ProviderUsage.CacheWriteInputTokens(usage) ?? 0);
        return price.Cost(input, Math.Max(0, usage.CachedInputTokenCount ?? 0), writes, Math.Max(0, usage.OutputTokenCount ?? 0), batch: false)
            + CacheWritePrices.OneHourSurcharge(price, input, Math.Min(writes, Math.Max(0, ProviderUsage.CacheWriteOneHourInputTokens(usage) ?? 0)), batch: false); // 1-hour writes at 2 × input
    }

    /// <summary>The counter key of a window at <paramref name="now"/> (UTC), e.g. <c>{budget}:d:20261130</c>.</summary>
    public static string Key(BudgetWindow window, DateTimeOffset now)
    {
        var u = now.UtcDateTime;
        return window switch
        {
            BudgetWindow.Hour => "{budget}:h:" + u.ToString("yyyyMMddHH", CultureInfo.InvariantCulture),
            BudgetWindow.Day => "{budget}:d:" + u.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
            _ => "{budget}:m:" + u.ToString("yyyyMM", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>When the window that contains <paramref name="now"/> ends (UTC).</summary>
    public static DateTimeOffset End(BudgetWindow window, DateTimeOffset now)
    {
        var u = now.UtcDateTime;
        var end = window switch
        {
            BudgetWindow.Hour => new DateTime(u.Year, u.Month, u.Day, u.Hour, 0, 0, DateTimeKind.Utc).AddHours(1),
            BudgetWindow.Day => u.Date.AddDays(1),
            _ => new DateTime(u.Year, u.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1),
        };
        return new DateTimeOffset(end);
    }

    /// <summary>
    /// The counter key of a scope's window at <paramref name="now"/> (UTC), e.g. <c>{budget}:u:alice:d:20261130</c>. Ids
    /// longer than 128 characters, with control characters or starting with '#' are replaced by '#' and a hash.
    /// </summary>
    public static string Key(BudgetScope scope, string? id, BudgetWindow window, DateTimeOffset now)
    {
        var app = Key(window, now);
        if (scope == BudgetScope.Application) return app;
        ArgumentException.ThrowIfNullOrEmpty(id);
        var letter = scope switch
        {
            BudgetScope.Tenant => "t:",
            BudgetScope.User => "u:",
            BudgetScope.Prompt => "p:",
            _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown budget scope."),
        };
        return string.Concat("{budget}:", letter, SafeId(id), app.AsSpan("{budget}".Length));
    }

    private static string SafeId(string id)
    {
        if (id.Length <= 128 && id[0] != '#' && !id.Any(char.IsControl)) return id;
        return "#" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)), 0, 16).ToLowerInvariant();
    }

    /// <summary>
    /// The charges of a request of <paramref name="amount"/> nano-dollars: the application's windows (first, in the order
    /// of <see cref="CurrentWindows"/>), then each limited window of the subject's tenant, user and prompt.
    /// </summary>
    private ValueTask<(IReadOnlyList<BudgetCharge> Charges, (BudgetScope Scope, string? Id, BudgetWindow Window)[] Scopes)> ChargesAsync(
        long amount, BudgetSubject subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var app = CurrentWindows(now);

        // The application's limits only (no scope limits, no provider, or a request without tenant, user and prompt):
        // one array, no await — what every request cost before scopes existed.
        if (!_scoped || (subject.TenantId is null && subject.UserId is null && subject.PromptId is null))
        {
            return ValueTask.FromResult((app.Set.Count == 0 ? [] : (IReadOnlyList<BudgetCharge>)new PlannedCharges(app.Set, amount), _appScopes));
        }

        // Configured limits only (no limit provider, no action that lowers users' limits): the subject's counters, limits and
        // scopes are the same for every request of the hour, so they are looked up once per subject and hour and a request
        // only adds its amount (one small object, not an array of charges) — no await, one lookup.
        if (_limitProvider is null && !_lowersUserLimits)
        {
            var plan = PlanOf(subject, app, now);
            return ValueTask.FromResult((plan.Count == 0 ? [] : (IReadOnlyList<BudgetCharge>)new PlannedCharges(plan, amount), plan.Scopes));
        }

        return ScopedChargesAsync(AppCharges(app, amount), amount, subject, now, cancellationToken);
    }

    /// <summary>The application's charges as an array (the path that adds limits decided per request to them).</summary>
    private BudgetCharge[] AppCharges(WindowSet app, long amount)
    {
        var charges = new BudgetCharge[_windows.Length];
        for (var i = 0; i < charges.Length; i++) charges[i] = new BudgetCharge(app.Keys[i], amount, _windows[i].LimitNano, app.ExpiresAt[i]);
        return charges;
    }

    /// <summary>
    /// Under configured limits only: the counters of a request of <paramref name="subject"/> this UTC hour — the application's
    /// windows, then each limited window of its tenant, user and prompt, as <see cref="ScopedChargesAsync"/> builds them —
    /// computed once per subject and hour (bounded cache).
    /// </summary>
    private ChargeSet PlanOf(BudgetSubject subject, WindowSet app, DateTimeOffset now)
    {
        if (_plans.TryGetValue(subject, out var known) && known.Hour == app.Hour) return known;
        var keys = new List<string>(app.Keys);
        var limits = new List<long>(_windows.Select(w => w.LimitNano));
        var expires = new List<DateTimeOffset>(app.ExpiresAt);
        var scopes = new List<(BudgetScope, string?, BudgetWindow)>(_appScopes);
        foreach (var scope in ScopedKinds)
        {
            var id = subject.IdOf(scope);
            if (ScopeOf(scope, id, now) is not { Configured: { IsConfigured: true } configured } scopeKeys) continue;
            for (var w = 0; w < AllWindows.Length; w++)
            {
                if (configured.LimitOf(AllWindows[w]) is null) continue;
                keys.Add(scopeKeys.Keys[w]);
                limits.Add(scopeKeys.ConfiguredNano[w]);
                expires.Add(scopeKeys.ExpiresAt[w]);
                scopes.Add((scope, id, AllWindows[w]));
            }
        }

        if (_plans.Count >= MaxCachedLimits) _plans.Clear(); // bounded: built again, never wrong
        return _plans[subject] = new ChargeSet(app.Hour, [.. keys], [.. limits], [.. expires], [.. scopes], FirstThreshold);
    }

    /// <summary>Each subject's counters for one UTC hour under configured limits (see <see cref="PlanOf"/>).</summary>
    private readonly ConcurrentDictionary<BudgetSubject, ChargeSet> _plans = new();

    /// <summary>The lowest alert threshold (percent); null without alerts.</summary>
    private int? FirstThreshold => _thresholds.Length == 0 ? null : _thresholds[0];

    private async ValueTask<(IReadOnlyList<BudgetCharge> Charges, (BudgetScope Scope, string? Id, BudgetWindow Window)[] Scopes)> ScopedChargesAsync(
        BudgetCharge[] appCharges, long amount, BudgetSubject subject, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One cached entry per scope id and UTC hour holds its keys, their expiries and (without a limit provider) its
        // configured limits in nano-dollars: a scoped request looks each id up once.
        var tenantKeys = ScopeOf(BudgetScope.Tenant, subject.TenantId, now);
        var userKeys = ScopeOf(BudgetScope.User, subject.UserId, now);
        var promptKeys = ScopeOf(BudgetScope.Prompt, subject.PromptId, now);
        var tenant = tenantKeys is null ? null : _limitProvider is null ? tenantKeys.Configured : await LimitsOfAsync(BudgetScope.Tenant, subject.TenantId!, cancellationToken).ConfigureAwait(false);
        var user = userKeys is null ? null : _limitProvider is null ? userKeys.Configured : await LimitsOfAsync(BudgetScope.User, subject.UserId!, cancellationToken).ConfigureAwait(false);
        if (user is { IsConfigured: true } && Actions.LowersUserLimits && (await Actions.CurrentAsync(cancellationToken).ConfigureAwait(false)).Has(BudgetActionKind.LowerUserLimits))
        {
            user = Actions.Lower(user);
        }

        var prompt = promptKeys is null ? null : _limitProvider is null ? promptKeys.Configured : await LimitsOfAsync(BudgetScope.Prompt, subject.PromptId!, cancellationToken).ConfigureAwait(false);
        var count = appCharges.Length + WindowCount(tenant) + WindowCount(user) + WindowCount(prompt);
        if (count == appCharges.Length) return (appCharges, _appScopes);

        // Exact-size arrays, and the scope's keys built once per scope id and UTC hour (the benchmark's 7-counter request
        // spent most of its extra time building four key strings per call).
        var charges = new BudgetCharge[count];
        var scopes = new (BudgetScope, string?, BudgetWindow)[count];
        appCharges.CopyTo(charges, 0);
        _appScopes.CopyTo(scopes, 0);
        var next = appCharges.Length;
        Add(BudgetScope.Tenant, subject.TenantId, tenant, tenantKeys);
        Add(BudgetScope.User, subject.UserId, user, userKeys);
        Add(BudgetScope.Prompt, subject.PromptId, prompt, promptKeys);
        return (charges, scopes);

        void Add(BudgetScope scope, string? id, BudgetLimits? limits, ScopeKeys? keys)
        {
            if (id is null || keys is null || limits is not { IsConfigured: true }) return;
            var configured = ReferenceEquals(limits, keys.Configured);
            for (var w = 0; w < AllWindows.Length; w++)
            {
                if (limits.LimitOf(AllWindows[w]) is not { } limit) continue;
                charges[next] = new BudgetCharge(keys.Keys[w], amount, configured ? keys.ConfiguredNano[w] : ToNanoFloor(limit), keys.ExpiresAt[w]);
                scopes[next++] = (scope, id, AllWindows[w]);
            }
        }
    }

    /// <summary>The cached keys of a scope id, or null when there is no id or the scope can have no limit.</summary>
    private ScopeKeys? ScopeOf(BudgetScope scope, string? id, DateTimeOffset now)
    {
        if (id is not { Length: > 0 }) return null;
        if (_limitProvider is null && !ConfiguredScope(scope).IsConfigured) return null;
        return ScopeKeysOf(scope, id, now);
    }

    private ScopeBudgetOptions ConfiguredScope(BudgetScope scope) => scope switch
    {
        BudgetScope.Tenant => Options.Tenants,
        BudgetScope.User => Options.Users,
        _ => Options.Prompts,
    };

    private static int WindowCount(BudgetLimits? limits) =>
        limits is not { IsConfigured: true } ? 0 : (limits.HourlyLimitUsd is null ? 0 : 1) + (limits.DailyLimitUsd is null ? 0 : 1) + (limits.MonthlyBudgetUsd is null ? 0 : 1);

    /// <summary>The hour, day and month keys of a scope id and when they expire, computed once per UTC hour (bounded cache).</summary>
    private ScopeKeys ScopeKeysOf(BudgetScope scope, string id, DateTimeOffset now)
    {
        var hour = now.UtcTicks / TimeSpan.TicksPerHour;
        if (_scopeKeys.TryGetValue((scope, id), out var known) && known.Hour == hour) return known;
        var keys = new string[AllWindows.Length];
        var expires = new DateTimeOffset[AllWindows.Length];
        for (var w = 0; w < AllWindows.Length; w++)
        {
            keys[w] = Key(scope, id, AllWindows[w], now);
            expires[w] = End(AllWindows[w], now) + LeaseDuration + Grace;
        }

        var configured = ConfiguredScope(scope).For(id);
        var nano = new long[AllWindows.Length];
        for (var w = 0; w < AllWindows.Length; w++) nano[w] = configured?.LimitOf(AllWindows[w]) is { } limit ? ToNanoFloor(limit) : 0;
        if (_scopeKeys.Count >= MaxCachedLimits) _scopeKeys.Clear();
        return _scopeKeys[(scope, id)] = new ScopeKeys(hour, keys, expires, configured, nano);
    }

    /// <summary>A scope id's counter keys and expiries for one UTC hour, and its configured limits (null: none) in nano-dollars per window.</summary>
    private sealed record ScopeKeys(long Hour, string[] Keys, DateTimeOffset[] ExpiresAt, BudgetLimits? Configured, long[] ConfiguredNano);

    private readonly ConcurrentDictionary<(BudgetScope, string), ScopeKeys> _scopeKeys = new();

    private static readonly BudgetScope[] ScopedKinds = [BudgetScope.Tenant, BudgetScope.User, BudgetScope.Prompt];
    private static readonly BudgetWindow[] AllWindows = [BudgetWindow.Hour, BudgetWindow.Day, BudgetWindow.Month];

    /// <summary>The limits of a scope id: the provider's answer (kept for <see cref="CostBudgetOptions.LimitCacheDuration"/>), else the configured ones.</summary>
    private async ValueTask<BudgetLimits?> LimitsOfAsync(BudgetScope scope, string id, CancellationToken cancellationToken)
    {
        var configured = scope switch
        {
            BudgetScope.Tenant => Options.Tenants,
            BudgetScope.User => Options.Users,
            _ => Options.Prompts,
        };
        if (_limitProvider is null) return configured.For(id);
        var key = (scope, id);
        if (_providedLimits.TryGetValue(key, out var known) && Time.GetElapsedTime(known.At) < Options.LimitCacheDuration) return known.Limits ?? configured.For(id);
        var provided = await _limitProvider.GetLimitsAsync(scope, id, cancellationToken).ConfigureAwait(false);
        if (provided is not null)
        {
            var errors = provided.GetErrors($"IBudgetLimitProvider({scope}, '{id}')").ToList();
            if (errors.Count > 0) throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
            provided = provided.Clone();
        }

        if (_providedLimits.Count >= MaxCachedLimits) _providedLimits.Clear(); // bounded: asked again, never wrong
        _providedLimits[key] = (provided, Time.GetTimestamp());
        return provided ?? configured.For(id);
    }

    private const int MaxCachedLimits = 100_000;

    /// <summary>
    /// Raises each alert the reservation crossed: for every charge, each threshold at or below its spent + reserved share
    /// (every threshold for the charge that refused), once per counter and threshold — claimed in the store, so one
    /// instance raises it — and remembered here so the store is asked once per process.
    /// </summary>
    private async ValueTask RaiseAlertsAsync(IReadOnlyList<BudgetCharge> charges, (BudgetScope Scope, string? Id, BudgetWindow Window)[] scopes, BudgetReservation reservation, DateTimeOffset now)
    {
        if (_thresholds.Length == 0 || reservation.Totals.Count != charges.Count) return;
        var set = (charges as PlannedCharges)?.Set;
        for (var i = 0; i < charges.Count; i++)
        {
            var refused = reservation.RefusedIndex == i;
            var total = reservation.Totals[i];

            // Below the lowest threshold (most requests): nothing to look up (a prepared set holds where each counter's
            // lowest threshold is). Above it, the thresholds this instance has handled for the counter (claimed by it or
            // found claimed): a budget that stays above 80 % costs one dictionary lookup per request here, no key string and
            // no store call.
            if (!refused && set is not null && total < set.Bounds[i].FirstAlertAt) continue;
            var charge = charges[i];
            if (!refused && total < ((charge.Limit * _thresholds[0]) + 99) / 100) continue;
            var handled = _alertsHandled.GetValueOrDefault(charge.Key);
            for (var t = handled; t < _thresholds.Length; t++)
            {
                var threshold = _thresholds[t];
                // total ≥ threshold % of the limit, in integers: limits are at most 9 × 10^15 nano-dollars, so × 100 fits in a long.
                if (!refused && total < ((charge.Limit * threshold) + 99) / 100) break;
                if (_alertsHandled.Count > MaxCachedLimits) _alertsHandled.Clear(); // bounded: a forgotten counter asks the store again, which says no
                _alertsHandled.AddOrUpdate(charge.Key, static (_, next) => next, static (_, known, next) => Math.Max(known, next), t + 1); // no closure: a counter above its first threshold allocates nothing here
                var claimKey = AlertKey(charge.Key, threshold);
                if (!await ClaimAsync(claimKey, now, charge.ExpiresAt).ConfigureAwait(false)) continue;
                var (scope, id, window) = scopes[i];
                var alert = new BudgetAlert
                {
                    Scope = scope,
                    ScopeId = id,
                    Window = window,
                    ThresholdPercent = threshold,
                    SpentOrReservedUsd = ToUsd(total),
                    LimitUsd = ToUsd(charge.Limit),
                    PeriodEnd = End(window, now),
                    At = now,
                    Refused = refused && threshold == _thresholds[^1],
                };
                _metrics.BudgetAlert(alert);
                BudgetLog.Alert(_logger, scope, id ?? "", window, threshold, alert.SpentOrReservedUsd, alert.LimitUsd);
                await PublishAsync(alert).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The key that records an alert as raised: <c>{budget}:alert:u:alice:d:20261203:80</c> for the 80 % alert of
    /// <c>{budget}:u:alice:d:20261203</c> — in the budget's hash slot, apart from the counters.
    /// </summary>
    internal static string AlertKey(string counterKey, int threshold) =>
        "{budget}:alert:" + (counterKey.StartsWith("{budget}:", StringComparison.Ordinal) ? counterKey["{budget}:".Length..] : counterKey) + ":" + threshold.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A user's anomalous hour: one alert per user and hour across the instances sharing the store (the same claim as the
    /// thresholds'). With <see cref="SpendAnomalyOptions.StopUser"/> the instance that found it refuses the user until the
    /// end of the UTC day.
    /// </summary>
    private async ValueTask RaiseAnomalyAsync(SpendAnomaly anomaly, DateTimeOffset now)
    {
        var claimKey = AlertKey(Key(BudgetScope.User, anomaly.UserId, BudgetWindow.Hour, now), 0) + ":anomaly";
        if (!await ClaimAsync(claimKey, now, End(BudgetWindow.Hour, now) + Grace).ConfigureAwait(false)) return;
        var stop = Actions.StopsUsers;
        var alert = new BudgetAlert
        {
            Kind = BudgetAlertKind.Anomaly,
            Scope = BudgetScope.User,
            ScopeId = anomaly.UserId,
            Window = BudgetWindow.Hour,
            ThresholdPercent = 0,
            SpentOrReservedUsd = anomaly.HourUsd,
            LimitUsd = anomaly.CeilingUsd,
            PeriodEnd = stop ? End(BudgetWindow.Day, now) : End(BudgetWindow.Hour, now),
            At = now,
            Refused = stop,
        };
        _metrics.BudgetAlert(alert);
        BudgetLog.Anomaly(_logger, anomaly.UserId, anomaly.HourUsd, anomaly.MeanUsd, anomaly.CeilingUsd, stop);
        await PublishAsync(alert).ConfigureAwait(false);
    }

    /// <summary>
    /// Claims <paramref name="key"/> in the store (true for the first instance to claim it before
    /// <paramref name="expiresAt"/>); a store that fails counts as claimed — the event is raised rather than lost (another
    /// instance may raise it too once the store is back).
    /// </summary>
    internal async ValueTask<bool> ClaimAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt)
    {
        try
        {
            return await Store.TryClaimOnceAsync(key, now, expiresAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            BudgetLog.AlertClaimFailed(_logger, key, e);
            return true;
        }
    }

    private async ValueTask PublishAsync(BudgetAlert alert)
    {
        foreach (var sink in _alertSinks)
        {
            try
            {
                await sink.PublishAsync(alert, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                BudgetLog.AlertSinkFailed(_logger, sink.GetType().Name, e);
            }
        }
    }

    internal static long ToNanoCeiling(decimal usd) => (long)decimal.Ceiling(usd * NanoPerUsd);

    internal static decimal ToUsd(long nano) => nano / NanoPerUsd;

    private static long ToNanoFloor(decimal usd) => (long)decimal.Floor(usd * NanoPerUsd);

    /// <summary>The keys and expiry times of the windows that contain <paramref name="now"/>, computed once per UTC hour.</summary>
    private WindowSet CurrentWindows(DateTimeOffset now)
    {
        var hour = now.UtcTicks / TimeSpan.TicksPerHour;
        var current = _current;
        if (current is not null && current.Hour == hour) return current;
        var keys = new string[_windows.Length];
        var expires = new DateTimeOffset[_windows.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = Key(_windows[i].Window, now);
            expires[i] = End(_windows[i].Window, now) + LeaseDuration + Grace;
        }

        var limits = new long[_windows.Length];
        for (var i = 0; i < limits.Length; i++) limits[i] = _windows[i].LimitNano;
        return _current = new WindowSet(hour, keys, expires, new ChargeSet(hour, keys, limits, expires, _appScopes, FirstThreshold));
    }

    private void RememberMonth(long totalNano, string monthKey)
    {
        lock (_paceGate) _month = (totalNano, monthKey, Time.GetTimestamp());
    }
}
