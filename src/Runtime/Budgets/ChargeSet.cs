namespace PromptOps.Budgets;

/// <summary>
/// The counters one kind of request charges for a while — <see cref="CostBudget"/>'s application windows for one UTC hour, or a
/// subject's counters for one hour under configured limits: keys, limits, expiries and scopes in charge order, prepared once.
/// A request only adds its amount (<see cref="PlannedCharges"/>, one small object instead of an array of charges). A store may
/// keep what it resolved the keys to in <see cref="StoreCache"/> (<see cref="InMemoryBudgetStore"/> keeps its counters there),
/// so the next request of the same set looks no key up.
/// </summary>
internal sealed class ChargeSet
{
    /// <summary>Creates the set; every array has one entry per counter, in charge order.</summary>
    /// <param name="hour">The UTC hour (ticks / ticks per hour) the set was prepared for.</param>
    /// <param name="keys">The counter keys.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="expiresAt">When each counter may be forgotten.</param>
    /// <param name="scopes">The scope, scope id and window of each counter.</param>
    /// <param name="firstAlertPercent">The lowest alert threshold (percent of the limit); null when no alert is configured.</param>
    public ChargeSet(long hour, string[] keys, long[] limits, DateTimeOffset[] expiresAt, (BudgetScope Scope, string? Id, BudgetWindow Window)[] scopes, int? firstAlertPercent)
    {
        if (limits.Length != keys.Length || expiresAt.Length != keys.Length || scopes.Length != keys.Length)
        {
            throw new ArgumentException("A charge set needs one key, limit, expiry and scope per counter.", nameof(keys));
        }

        Hour = hour;
        Keys = keys;
        Limits = limits;
        ExpiresAt = expiresAt;
        Scopes = scopes;
        Bounds = new ChargeBounds[keys.Length];
        var latest = long.MinValue;
        for (var i = 0; i < keys.Length; i++)
        {
            // total ≥ threshold % of the limit, in integers: limits are at most 9 × 10^15 nano-dollars, so × 100 fits in a long.
            Bounds[i] = new ChargeBounds(limits[i], firstAlertPercent is { } percent ? ((limits[i] * percent) + 99) / 100 : long.MaxValue);
            latest = Math.Max(latest, expiresAt[i].UtcTicks);
        }

        LatestExpiryTicks = latest;
    }

    /// <summary>The UTC hour the set was prepared for.</summary>
    public long Hour { get; }

    /// <summary>The counter keys, in charge order.</summary>
    public string[] Keys { get; }

    /// <summary>The limit of each counter.</summary>
    public long[] Limits { get; }

    /// <summary>When each counter may be forgotten.</summary>
    public DateTimeOffset[] ExpiresAt { get; }

    /// <summary>The latest of <see cref="ExpiresAt"/>, in UTC ticks (<see cref="long.MinValue"/> for an empty set).</summary>
    public long LatestExpiryTicks { get; }

    /// <summary>The scope, scope id and window of each counter.</summary>
    public (BudgetScope Scope, string? Id, BudgetWindow Window)[] Scopes { get; }

    /// <summary>
    /// Each counter's limit and the total at which it reaches the lowest alert threshold, side by side: what a request reads
    /// of the set on its way (a few cache lines, the keys and expiries are not read).
    /// </summary>
    public ChargeBounds[] Bounds { get; }

    /// <summary>The number of counters.</summary>
    public int Count => Keys.Length;

    /// <summary>
    /// What a store resolved the keys to, for its next request of this set (an immutable object, replaced as a whole; the store
    /// checks it is its own and still valid before it uses it).
    /// </summary>
    public object? StoreCache;

    /// <summary>The charge of counter <paramref name="index"/> for a request of <paramref name="amount"/>.</summary>
    public BudgetCharge Charge(int index, long amount) => new(Keys[index], amount, Limits[index], ExpiresAt[index]);
}
