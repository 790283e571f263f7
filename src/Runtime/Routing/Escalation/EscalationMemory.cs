using System.Collections.Concurrent;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>
/// The first tier whose reply validated, per prompt id and version, for a while (<see cref="EscalationOptions.RememberFor"/>
/// on a <see cref="TimeProvider"/>), in bounded memory (<see cref="EscalationOptions.MaxRemembered"/>).
/// </summary>
internal sealed class EscalationMemory(TimeSpan rememberFor, int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (ModelTier Tier, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public ModelTier? Get(string key)
    {
        if (!_entries.TryGetValue(key, out var entry)) return null;
        if (entry.Until > time.GetUtcNow()) return entry.Tier;
        _entries.TryRemove(new KeyValuePair<string, (ModelTier, DateTimeOffset)>(key, entry));
        return null;
    }

    public void Remember(string key, ModelTier tier)
    {
        if (rememberFor <= TimeSpan.Zero) return;
        var now = time.GetUtcNow();
        if (_entries.Count >= capacity && !_entries.ContainsKey(key)) MakeRoom(now);
        _entries[key] = (tier, now + rememberFor);
    }

    public static string? Key(PromptOpsMetadata meta) =>
        meta.PromptId is { } id ? id + "\u001f" + meta.PromptVersion : null;

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Until <= now) _entries.TryRemove(key, out _);
        }

        // Still full: drop the entries that expire first (the oldest), a tenth of the capacity at once.
        var excess = _entries.Count - capacity + Math.Max(1, capacity / 10);
        if (excess <= 0) return;
        foreach (var (key, _) in _entries.OrderBy(e => e.Value.Until).Take(excess).ToList()) _entries.TryRemove(key, out _);
    }
}
