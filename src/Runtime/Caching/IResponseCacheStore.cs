namespace PromptOps.Caching;

/// <summary>
/// The L2 store of the response cache: opaque bytes under a key, with a TTL. Implementations may throw when the
/// store is unreachable; <see cref="PromptCacheChatClient"/> then continues without L2 (one warning per outage) and
/// tries again after <see cref="PromptCacheOptions.DistributedRetryInterval"/>.
/// </summary>
public interface IResponseCacheStore
{
    /// <summary>A short name for logs and metrics (<c>redis</c>).</summary>
    string Name { get; }

    /// <summary>Reads the bytes stored under <paramref name="key"/>, or null.</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> for <paramref name="ttl"/> (always positive).</summary>
    ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan ttl, CancellationToken cancellationToken);
}
