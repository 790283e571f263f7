namespace PromptOps.Budgets;

/// <summary>
/// The ids of settles and recorded spends a store has applied, each until its replay window ends, so that a replay of one
/// changes nothing. Ids made by <see cref="BudgetLeaseIds.New"/> in this process — nearly all of them — are kept as their
/// 64-bit counter (about 24 bytes an entry instead of about 110 with the string), other ids as strings. Not thread-safe:
/// the store calls it under its lock.
/// </summary>
internal sealed class AppliedMarkers
{
    private readonly Dictionary<ulong, long> _own = [];
    private readonly Dictionary<string, long> _other = new(StringComparer.Ordinal);

    /// <summary>How many ids are remembered.</summary>
    public int Count => _own.Count + _other.Count;

    /// <summary>Remembers <paramref name="id"/> until <paramref name="untilTicks"/>; false when it is remembered already (a replay).</summary>
    public bool TryAdd(string id, long untilTicks) =>
        BudgetLeaseIds.TryParseOwn(id, out var n) ? _own.TryAdd(n, untilTicks) : _other.TryAdd(id, untilTicks);

    /// <summary>Remembers <paramref name="id"/> until <paramref name="untilTicks"/>, whether or not it was remembered.</summary>
    public void Set(string id, long untilTicks)
    {
        if (BudgetLeaseIds.TryParseOwn(id, out var n)) _own[n] = untilTicks;
        else _other[id] = untilTicks;
    }

    /// <summary>Forgets the ids whose window ended at or before <paramref name="ticks"/>.</summary>
    public void Forget(long ticks)
    {
        Forget(_own, ticks);
        Forget(_other, ticks);
    }

    /// <summary>Removes the entries of <paramref name="markers"/> whose time ended at or before <paramref name="ticks"/> (the store's expired leases too).</summary>
    internal static void Forget<TKey>(Dictionary<TKey, long> markers, long ticks)
        where TKey : notnull
    {
        List<TKey>? old = null;
        foreach (var (id, until) in markers)
        {
            if (until <= ticks) (old ??= []).Add(id);
        }

        if (old is null) return;
        foreach (var id in old) markers.Remove(id);
    }
}
