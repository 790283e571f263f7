namespace PromptOps.Budgets;

/// <summary>Lease ids unique across processes: a random part per process and a counter (no random bytes per call).</summary>
public static class BudgetLeaseIds
{
    private static readonly string ProcessId = Guid.NewGuid().ToString("N")[..16];
    private static long _next;

    /// <summary>
    /// How long a store remembers that a settle or a recorded spend was applied, so that a replay of it changes nothing:
    /// 15 minutes (longer than the default lease, and than any retry of a lost reply).
    /// </summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(15);

    /// <summary>
    /// True when <paramref name="id"/> is one <see cref="New"/> made in this process, with its counter in
    /// <paramref name="counter"/> (exactly the form it writes: no leading zero, lower-case hex); false for any other id.
    /// </summary>
    internal static bool TryParseOwn(string id, out ulong counter)
    {
        counter = 0;
        var digits = id.AsSpan(Math.Min(id.Length, ProcessId.Length));
        if (id.Length <= ProcessId.Length || digits.Length > 16 || digits[0] == '0' || !id.AsSpan(0, ProcessId.Length).SequenceEqual(ProcessId)) return false;
        foreach (var c in digits)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }

        return ulong.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out counter);
    }

    /// <summary>A new lease id.</summary>
    public static string New()
    {
        // One string: the process part and the counter in hex, written in place (no intermediate string for the counter).
        var next = (ulong)Interlocked.Increment(ref _next);
        var digits = Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(next) + 3) / 4);
        return string.Create(ProcessId.Length + digits, next, static (span, n) =>
        {
            ProcessId.AsSpan().CopyTo(span);
            n.TryFormat(span[ProcessId.Length..], out _, "x", System.Globalization.CultureInfo.InvariantCulture);
        });
    }
}
