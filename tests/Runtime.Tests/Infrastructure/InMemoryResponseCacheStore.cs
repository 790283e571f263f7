using System.Collections.Concurrent;
using PromptOps.Caching;

namespace PromptOps.Tests.Infrastructure;

/// <summary>An in-process L2 double: bytes by key, the TTL each was written with, no expiry of its own.</summary>
internal sealed class InMemoryResponseCacheStore : IResponseCacheStore
{
    public ConcurrentDictionary<string, (byte[] Value, TimeSpan Ttl)> Entries { get; } = new(StringComparer.Ordinal);

    public int Reads;

    public string Name => "test";

    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return ValueTask.FromResult(Entries.TryGetValue(key, out var e) ? e.Value : null);
    }

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        Entries[key] = (value.ToArray(), ttl);
        return ValueTask.CompletedTask;
    }
}
