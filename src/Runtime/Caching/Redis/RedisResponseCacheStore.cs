using StackExchange.Redis;

namespace PromptOps.Caching.Redis;

/// <summary>
/// The L2 response store on Redis (StackExchange.Redis): one string per entry, written with <c>SET … PX ttl</c>, so
/// Redis expires it. Failures throw; <see cref="PromptCacheChatClient"/> turns them into a skipped L2 and one warning.
/// </summary>
public sealed class RedisResponseCacheStore : IResponseCacheStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly int _database;
    private readonly string _prefix;

    /// <summary>Creates the store.</summary>
    /// <param name="redis">The connection (shared; not disposed here).</param>
    /// <param name="keyPrefix">Prepended to every key (an application name), may be empty.</param>
    /// <param name="database">The Redis database; -1 for the connection's default.</param>
    public RedisResponseCacheStore(IConnectionMultiplexer redis, string? keyPrefix = null, int database = -1)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _prefix = keyPrefix ?? string.Empty;
        _database = database;
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <inheritdoc />
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = await _redis.GetDatabase(_database).StringGetAsync(_prefix + key).ConfigureAwait(false);
        return value.IsNull ? null : (byte[]?)value;
    }

    /// <inheritdoc />
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ttl), ttl, "Every cache entry needs a positive TTL.");
        cancellationToken.ThrowIfCancellationRequested();
        await _redis.GetDatabase(_database).StringSetAsync(_prefix + key, value, ttl).ConfigureAwait(false);
    }
}
