using Microsoft.Extensions.AI;
using Microsoft.Extensions.Primitives;

namespace PromptOps.Caching;

/// <summary>
/// An L1 entry: the answer and its expiry, which hits move later (up to the cap) when it is extendable. It is also the
/// entry's expiration token: MemoryCache polls <see cref="HasChanged"/> on every read and scan, so an entry expires
/// at its current expiry although MemoryCache's own absolute expiry (the cap) cannot change once set.
/// </summary>
internal sealed class MemoryCacheEntry(ChatResponse response, TimeProvider time, DateTimeOffset expiresAt, DateTimeOffset cap, TimeSpan extension) : IChangeToken
{
    private long _expiresAtTicks = expiresAt.UtcTicks;

    public ChatResponse Response { get; } = response;

    public bool HasChanged => time.GetUtcNow().UtcTicks >= Volatile.Read(ref _expiresAtTicks);

    public bool ActiveChangeCallbacks => false;

    /// <summary>Moves the expiry later by the extension, never past the cap; true when it moved. Lock-free: concurrent hits each add theirs.</summary>
    public bool Extend()
    {
        if (extension <= TimeSpan.Zero) return false;
        while (true)
        {
            var current = Volatile.Read(ref _expiresAtTicks);
            var next = Math.Min(cap.UtcTicks, current + extension.Ticks);
            if (next <= current) return false;
            if (Interlocked.CompareExchange(ref _expiresAtTicks, next, current) == current) return true;
        }
    }

    public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => NullDisposable.Instance;

    private sealed class NullDisposable : IDisposable
    {
        public static readonly NullDisposable Instance = new();

        public void Dispose()
        {
        }
    }
}
