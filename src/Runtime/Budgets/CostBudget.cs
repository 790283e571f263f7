using System.Globalization;
using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Budgets;

/// <summary>Spend in one budget window.</summary>
/// <param name="Window">The window.</param>
/// <param name="SpentOrReservedUsd">USD settled plus USD reserved by calls in flight.</param>
/// <param name="LimitUsd">The window's limit.</param>
public sealed record BudgetWindowStatus(BudgetWindow Window, decimal SpentOrReservedUsd, decimal LimitUsd)
{
    /// <summary>What is left: <see cref="LimitUsd"/> − <see cref="SpentOrReservedUsd"/>, never negative.</summary>
    public decimal RemainingUsd => Math.Max(0, LimitUsd - SpentOrReservedUsd);
}

/// <summary>The budget at one moment: each configured window and the monthly pace.</summary>
/// <param name="Windows">The configured windows (hour, day, month), in that order.</param>
/// <param name="Pace">The monthly pace, when a monthly budget is set.</param>
public sealed record BudgetStatus(IReadOnlyList<BudgetWindowStatus> Windows, BudgetPace? Pace);

/// <summary>
/// One application-wide cost budget: its hourly, daily and monthly limits over an <see cref="IBudgetStore"/>. The
/// budget breaker (<see cref="CostBudgetChatClient"/>) reserves and settles through it; the downgrade layer reads
/// its pace. Amounts are counted in nano-dollars (exact integers). Windows are UTC hours, days and calendar months,
/// keyed by their start; a reservation is settled in the windows it was made in, so nothing is lost or counted
/// twice when a window ends while a call is in flight.
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

    /// <summary>Creates the budget.</summary>
    /// <param name="options">Limits and behaviour; validated here.</param>
    /// <param name="store">Where spend is counted.</param>
    /// <param name="prices">The price catalogue (model prices, cached-input prices).</param>
    /// <param name="leaseDuration">How long a reservation lives if it is never settled.</param>
    /// <param name="timeProvider">The clock (windows, leases).</param>
    public CostBudget(CostBudgetOptions options, IBudgetStore store, PriceCatalog? prices = null, TimeSpan? leaseDuration = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        var errors = options.GetErrors().ToList();
        if (!options.IsConfigured) errors.Add("PromptOps:Budget: no limit is set (HourlyLimitUsd, DailyLimitUsd or MonthlyBudgetUsd).");
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
    }

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

    /// <summary>Every configured window with what is spent or reserved in it now, and the monthly pace.</summary>
    public async ValueTask<BudgetStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var keys = _windows.Select(w => Key(w.Window, now)).ToArray();
        var totals = await Store.GetTotalsAsync(keys, now, cancellationToken).ConfigureAwait(false);
        var windows = new BudgetWindowStatus[_windows.Length];
        BudgetPace? pace = null;
        for (var i = 0; i < windows.Length; i++)
        {
            windows[i] = new BudgetWindowStatus(_windows[i].Window, ToUsd(totals[i]), ToUsd(_windows[i].LimitNano));
            if (_windows[i].Window == BudgetWindow.Month)
            {
                RememberMonth(totals[i], keys[i]);
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
    /// Reserves <paramref name="worstCaseUsd"/> in every window, or throws a <see cref="BudgetExceededException"/> naming
    /// the first window it does not fit in. The returned lease must be settled with <see cref="SettleAsync"/>.
    /// </summary>
    public async ValueTask<BudgetLease> ReserveAsync(string? modelId, decimal worstCaseUsd, CancellationToken cancellationToken = default)
    {
        if (worstCaseUsd < 0) throw new ArgumentOutOfRangeException(nameof(worstCaseUsd), worstCaseUsd, "The worst case cannot be negative.");
        var now = Time.GetUtcNow();
        var amount = ToNanoCeiling(worstCaseUsd);
        var windows = CurrentWindows(now);
        var charges = new BudgetCharge[_windows.Length];
        for (var i = 0; i < charges.Length; i++) charges[i] = new BudgetCharge(windows.Keys[i], amount, _windows[i].LimitNano, windows.ExpiresAt[i]);

        var reservation = await Store.TryReserveAsync(charges, now, now + LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (_monthIndex >= 0 && _monthIndex < reservation.Totals.Count) RememberMonth(reservation.Totals[_monthIndex], charges[_monthIndex].Key);
        if (reservation.LeaseId is not { } leaseId)
        {
            var i = reservation.RefusedIndex;
            var window = _windows[i].Window;
            throw new BudgetExceededException(window, ToUsd(reservation.Totals[i]), ToUsd(_windows[i].LimitNano), worstCaseUsd, modelId, End(window, now) - now);
        }

        return new BudgetLease(leaseId, charges, worstCaseUsd);
    }

    /// <summary>
    /// Settles a lease with what the call really cost: <paramref name="actualUsd"/> replaces the reserved worst case in
    /// every window. 0 releases the reservation. Settling a lease twice has no effect.
    /// </summary>
    public async ValueTask SettleAsync(BudgetLease lease, decimal actualUsd, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (!lease.TryMarkSettled()) return;
        var amount = ToNanoCeiling(Math.Max(0, actualUsd));
        var actual = new long[lease.Charges.Length];
        Array.Fill(actual, amount);
        await Store.SettleAsync(lease.LeaseId, lease.Charges, actual, Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The cost of a finished call from its usage: input at the input price, cached input at the cached price, cache writes
    /// (<see cref="ProviderUsage.CacheWriteInputTokens"/>) at the cache-write price, output at the output price — the same
    /// formula as the usage meter's.
    /// </summary>
    public static decimal CostOf(ModelPriceInfo price, UsageDetails usage)
    {
        ArgumentNullException.ThrowIfNull(price);
        ArgumentNullException.ThrowIfNull(usage);
        return price.Cost(Math.Max(0, usage.InputTokenCount ?? 0), Math.Max(0, usage.CachedInputTokenCount ?? 0),
            Math.Max(0, ProviderUsage.CacheWriteInputTokens(usage) ?? 0), Math.Max(0, usage.OutputTokenCount ?? 0), batch: false);
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

        return _current = new WindowSet(hour, keys, expires);
    }

    private void RememberMonth(long totalNano, string monthKey)
    {
        lock (_paceGate) _month = (totalNano, monthKey, Time.GetTimestamp());
    }
}

internal sealed record WindowSet(long Hour, string[] Keys, DateTimeOffset[] ExpiresAt);

/// <summary>A reservation made by <see cref="CostBudget.ReserveAsync"/>; settle it once with <see cref="CostBudget.SettleAsync"/>.</summary>
public sealed class BudgetLease
{
    private int _settled;

    internal BudgetLease(string leaseId, BudgetCharge[] charges, decimal worstCaseUsd)
    {
        LeaseId = leaseId;
        Charges = charges;
        WorstCaseUsd = worstCaseUsd;
    }

    /// <summary>The store's lease id.</summary>
    public string LeaseId { get; }

    /// <summary>The worst case that was reserved (USD).</summary>
    public decimal WorstCaseUsd { get; }

    internal BudgetCharge[] Charges { get; }

    internal bool TryMarkSettled() => Interlocked.Exchange(ref _settled, 1) == 0;
}
