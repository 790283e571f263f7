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

    /// <summary>
    /// The TTL optimiser (<see cref="AdaptiveTtlOptions"/>): moves the expiry of <paramref name="key"/> later by
    /// <paramref name="extendBy"/>, but to no more than <paramref name="maxRemaining"/> from now, as one atomic step (hits
    /// from several processes must each add theirs, none lost to a read-modify-write race). Returns how long the entry
    /// now lives and whether this call moved its expiry, or null when it does not exist or the store cannot extend
    /// entries (the default: entries then live their TTL).
    /// </summary>
    ValueTask<CacheEntryExtension?> ExtendAsync(string key, TimeSpan extendBy, TimeSpan maxRemaining, CancellationToken cancellationToken) =>
        ValueTask.FromResult<CacheEntryExtension?>(null);
}
