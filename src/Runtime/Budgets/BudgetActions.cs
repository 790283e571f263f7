using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using PromptOps.Usage;

namespace PromptOps.Budgets;

/// <summary>
/// The state of a <see cref="CostBudget"/>'s action table (<see cref="CostBudgetOptions.EffectiveActionRules"/>): which
/// pace actions this instance has taken for the current month, and which users are stopped today on any instance.
/// A pace action is taken the first time this instance sees its trigger hold in a month and stays until the month ends
/// (the guide's "for the rest of the period"); every instance reads the same shared monthly spend, so each takes it
/// within <see cref="CostBudgetOptions.PaceRefreshInterval"/> of the others. Stops are shared through a set in the
/// budget store (<see cref="IBudgetStore.AddToSetAsync"/>) that each instance reads every
/// <see cref="BudgetActionOptions.StopSyncInterval"/>.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed class BudgetActions
{
    private readonly CostBudget _budget;
    private readonly BudgetActionOptions _options;
    private readonly (BudgetActionTrigger When, BudgetActionKind Action)[] _paceRules;
    private readonly HashSet<string> _nonEssential;
    private readonly PromptOpsMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Func<BudgetAlert, ValueTask> _publish;
    private readonly object _gate = new();

    // Pace actions taken this month: a bit per BudgetActionKind, the month they hold for and the pace seen when taken.
    private int _active;
    private DateTimeOffset _activeUntil;
    private BudgetPace? _pace;

    // Users stopped today across instances.
    private HashSet<string> _stopped = new(StringComparer.Ordinal);
    private string? _stopKey;
    private long _stopsReadAt;
    private Task? _reading;
    private int _setsUnsupported;
    private int _semanticStoodDown;

    public BudgetActions(CostBudget budget, IReadOnlyList<BudgetActionRule> rules, PromptOpsMetrics metrics, ILogger logger, Func<BudgetAlert, ValueTask> publish)
    {
        _budget = budget;
        _options = budget.Options.Actions;
        _paceRules = [.. rules.Where(r => r.When != BudgetActionTrigger.Anomaly).Select(r => (r.When, r.Action)).Distinct()];
        StopsUsers = rules.Any(r => r is { When: BudgetActionTrigger.Anomaly, Action: BudgetActionKind.StopUser });
        _nonEssential = new HashSet<string>(_options.NonEssential, StringComparer.Ordinal);
        _metrics = metrics;
        _logger = logger;
        _publish = publish;
    }

    /// <summary>True when a pace rule exists (the request path then asks <see cref="CurrentAsync"/>).</summary>
    public bool HasPaceRules => _paceRules.Length > 0;

    /// <summary>True when a rule lowers users' limits.</summary>
    public bool LowersUserLimits => _paceRules.Any(r => r.Action == BudgetActionKind.LowerUserLimits);

    /// <summary>True when anomalous users are stopped.</summary>
    public bool StopsUsers { get; }

    /// <summary>
    /// The pace actions in force now: takes those whose trigger holds (once per month, with an event), undoes those whose
    /// month ended (with an event). Reads the pace from <see cref="CostBudget.GetPaceAsync"/>, which reads the store at
    /// most every <see cref="CostBudgetOptions.PaceRefreshInterval"/>.
    /// </summary>
    public async ValueTask<ActiveBudgetActions> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_paceRules.Length == 0) return default;
        var now = _budget.Time.GetUtcNow();
        var pace = await _budget.GetPaceAsync(cancellationToken).ConfigureAwait(false);
        List<BudgetAlert>? events = null;
        int active;
        lock (_gate)
        {
            if (_active != 0 && now >= _activeUntil)
            {
                // The month rolled over: every pace action ends.
                for (var kind = 0; kind < 32; kind++)
                {
                    if ((_active & (1 << kind)) == 0) continue;
                    (events ??= []).Add(Event((BudgetActionKind)kind, TriggerOf((BudgetActionKind)kind), _pace, undone: true, _activeUntil, now));
                }

                _active = 0;
            }

            if (pace is { Status: BudgetPaceStatus.Warning or BudgetPaceStatus.Critical })
            {
                var until = CostBudget.End(BudgetWindow.Month, now);
                foreach (var (when, action) in _paceRules)
                {
                    var holds = when == BudgetActionTrigger.PaceWarning || pace.Status == BudgetPaceStatus.Critical;
                    if (!holds || (_active & (1 << (int)action)) != 0) continue;
                    _active |= 1 << (int)action;
                    _activeUntil = until;
                    _pace = pace;
                    (events ??= []).Add(Event(action, when, pace, undone: false, until, now));
                }
            }

            active = _active;
        }

        if (events is not null)
        {
            foreach (var e in events) await RaiseAsync(e, now).ConfigureAwait(false);
        }

        return new ActiveBudgetActions(active, _pace);
    }

    /// <summary>The semantic threshold to use now, or null when the action does not hold or the live false-hit rate says stand down.</summary>
    public double? SemanticThreshold(ActiveBudgetActions active)
    {
        if (!active.Has(BudgetActionKind.WidenSemanticCache)) return null;
        // The live guard: verified semantic hits (SemanticCacheOptions.VerifyFraction) that disagree more than 1 % of the
        // time — with enough of them to mean something — stop the widening for this instance.
        if (_metrics.SemanticVerified >= 20 && _metrics.SemanticFalseHitRate > 0.01)
        {
            if (Interlocked.Exchange(ref _semanticStoodDown, 1) == 0) BudgetLog.SemanticWideningStoodDown(_logger, _metrics.SemanticFalseHitRate.Value);
            return null;
        }

        return _options.SemanticThreshold;
    }

    /// <summary>True when a request of this prompt or endpoint (metadata) is a non-essential feature.</summary>
    public bool IsNonEssential(PromptOpsMetadata? meta, out string feature)
    {
        feature = meta?.PromptId ?? meta?.Endpoint ?? "(unnamed)";
        if (meta is null) return false;
        if (meta.Essential == false) return true;
        if (meta.PromptId is { } id && _nonEssential.Contains(id)) { feature = id; return true; }
        if (meta.Endpoint is { } endpoint && _nonEssential.Contains(endpoint)) { feature = endpoint; return true; }
        return false;
    }

    /// <summary>Limits lowered by <see cref="BudgetActionOptions.UserLimitFactor"/> (floored at one nano-dollar).</summary>
    public BudgetLimits Lower(BudgetLimits limits)
    {
        var f = (decimal)_options.UserLimitFactor;
        return new BudgetLimits
        {
            HourlyLimitUsd = Scale(limits.HourlyLimitUsd),
            DailyLimitUsd = Scale(limits.DailyLimitUsd),
            MonthlyBudgetUsd = Scale(limits.MonthlyBudgetUsd),
        };

        decimal? Scale(decimal? v) => v is { } x ? Math.Max(CostBudgetOptions.MinLimitUsd, x * f) : null;
    }

    /// <summary>Stops the anomaly's user for the rest of the UTC day on every instance (the store's shared set), and raises the action once.</summary>
    public async ValueTask StopAsync(SpendAnomaly anomaly, DateTimeOffset now)
    {
        var key = StopKey(now);
        lock (_gate)
        {
            if (_stopKey != key) { _stopKey = key; _stopped = new HashSet<string>(StringComparer.Ordinal); _stopsReadAt = 0; }
            _stopped = new HashSet<string>(_stopped, StringComparer.Ordinal) { anomaly.UserId };
        }

        try
        {
            await _budget.Store.AddToSetAsync(key, anomaly.UserId, now, CostBudget.End(BudgetWindow.Day, now) + TimeSpan.FromHours(1), CancellationToken.None).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            if (Interlocked.Exchange(ref _setsUnsupported, 1) == 0) BudgetLog.StopNotShared(_logger, _budget.Store.Name);
        }
        catch (Exception e)
        {
            BudgetLog.StopNotShared(_logger, _budget.Store.Name, e);
        }

        // Logged and counted as an action here; the sinks already get the anomaly alert, whose Refused = true says the user is stopped.
        _metrics.BudgetAction(BudgetActionKind.StopUser, BudgetActionTrigger.Anomaly, undone: false);
        BudgetActionLog.ActionTaken(_logger, BudgetActionKind.StopUser, BudgetActionTrigger.Anomaly, anomaly.UserId, anomaly.HourUsd, anomaly.CeilingUsd, CostBudget.End(BudgetWindow.Day, now));
    }

    /// <summary>
    /// True when another instance (or this one) stopped <paramref name="userId"/> today. Reads the shared set when the
    /// copy here is older than <see cref="BudgetActionOptions.StopSyncInterval"/> (one read at a time; requests meanwhile
    /// use the copy).
    /// </summary>
    public async ValueTask<bool> IsStoppedAsync(string userId, DateTimeOffset now)
    {
        var key = StopKey(now);
        TaskCompletionSource? mine = null;
        Task? other = null;
        bool stopped;
        lock (_gate)
        {
            if (_stopKey != key) { _stopKey = key; _stopped = new HashSet<string>(StringComparer.Ordinal); _stopsReadAt = 0; _reading = null; }
            stopped = _stopped.Contains(userId);
            if (_setsUnsupported == 0 && _reading is null && (_stopsReadAt == 0 || _budget.Time.GetElapsedTime(_stopsReadAt) >= _options.StopSyncInterval))
            {
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _reading = mine.Task;
            }
            else if (_stopsReadAt == 0)
            {
                other = _reading; // the first read of the day is under way: wait for it
            }
        }

        if (stopped) return true;
        if (mine is not null)
        {
            try
            {
                await ReadStopsAsync(key, now).ConfigureAwait(false);
            }
            finally
            {
                mine.SetResult();
            }
        }
        else if (other is not null)
        {
            await other.ConfigureAwait(false);
        }
        else
        {
            return false;
        }

        lock (_gate) return _stopped.Contains(userId);
    }

    private async Task ReadStopsAsync(string key, DateTimeOffset now)
    {
        IReadOnlyCollection<string>? members = null;
        try
        {
            members = await _budget.Store.GetSetAsync(key, now, CancellationToken.None).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            if (Interlocked.Exchange(ref _setsUnsupported, 1) == 0) BudgetLog.StopNotShared(_logger, _budget.Store.Name);
        }
        catch (Exception e)
        {
            BudgetLog.StopNotShared(_logger, _budget.Store.Name, e); // the copy here stays; the next read tries again
        }

        lock (_gate)
        {
            if (_stopKey == key)
            {
                if (members is not null && members.Count > 0) _stopped = new HashSet<string>(_stopped.Concat(members), StringComparer.Ordinal);
                _stopsReadAt = _budget.Time.GetTimestamp();
                _reading = null;
            }
        }
    }

    /// <summary>The set of users stopped on a UTC day: <c>{budget}:stops:20261204</c>.</summary>
    internal static string StopKey(DateTimeOffset now) => "{budget}:stops" + CostBudget.Key(BudgetWindow.Day, now)["{budget}".Length..];

    /// <summary>The pace ratio above which <paramref name="kind"/>'s trigger holds.</summary>
    public decimal TriggerRatioOf(BudgetActionKind kind) => TriggerOf(kind) == BudgetActionTrigger.PaceWarning ? BudgetPace.WarningRatio : BudgetPace.CriticalRatio;

    private BudgetActionTrigger TriggerOf(BudgetActionKind kind)
    {
        foreach (var (when, action) in _paceRules)
        {
            if (action == kind) return when;
        }

        return BudgetActionTrigger.PaceCritical;
    }

    private BudgetAlert Event(BudgetActionKind action, BudgetActionTrigger trigger, BudgetPace? pace, bool undone, DateTimeOffset until, DateTimeOffset now) => new()
    {
        Kind = BudgetAlertKind.Action,
        Action = action,
        Trigger = trigger,
        Undone = undone,
        Scope = BudgetScope.Application,
        Window = BudgetWindow.Month,
        ThresholdPercent = 0,
        SpentOrReservedUsd = pace?.SpentUsd ?? 0,
        LimitUsd = pace?.MonthlyBudgetUsd ?? _budget.Options.MonthlyBudgetUsd ?? 0,
        PeriodEnd = until,
        At = now,
    };

    /// <summary>Logs and counts the event on this instance; publishes it to the sinks once across the instances sharing the store.</summary>
    private async ValueTask RaiseAsync(BudgetAlert e, DateTimeOffset now)
    {
        _metrics.BudgetAction(e.Action!.Value, e.Trigger!.Value, e.Undone);
        if (e.Undone) BudgetActionLog.ActionUndone(_logger, e.Action!.Value, e.ScopeId ?? "");
        else BudgetActionLog.ActionTaken(_logger, e.Action!.Value, e.Trigger!.Value, e.ScopeId ?? "", e.SpentOrReservedUsd, e.LimitUsd, e.PeriodEnd);

        var claimKey = "{budget}:action:" + e.Action!.Value.ToString() + ":" + (e.ScopeId ?? "app") + ":" + e.PeriodEnd.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) + (e.Undone ? ":undone" : ":taken");
        if (await _budget.ClaimAsync(claimKey, now, e.PeriodEnd + TimeSpan.FromDays(1)).ConfigureAwait(false)) await _publish(e).ConfigureAwait(false);
    }
}
