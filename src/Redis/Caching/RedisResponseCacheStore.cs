using StackExchange.Redis;

namespace PromptOps.Caching.Redis;

/// <summary>
/// The L2 response store on Redis (StackExchange.Redis): one string per entry, written with <c>SET … PX ttl</c>, so
/// Redis expires it. The TTL optimiser's extension is one Lua script (<c>PTTL</c>, then <c>PEXPIRE</c> to the extended
/// expiry capped by the caller), so concurrent hits never lose an extension. Failures throw; <see cref="PromptCacheChatClient"/> turns them into a skipped L2 and one warning.
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

    // KEYS[1] the entry; ARGV[1] the extension (ms), ARGV[2] the most it may live from now (ms). Returns
    // {remaining life in ms, 1 if extended else 0}; {-2, 0} when the key does not exist ({-1, 0}: no expiry, left alone).
    private const string ExtendScript = """
        local left = redis.call('PTTL', KEYS[1])
        if left < 0 then return {left, 0} end
        local wanted = left + tonumber(ARGV[1])
        local cap = tonumber(ARGV[2])
        if wanted > cap then wanted = cap end
        if wanted > left then
          redis.call('PEXPIRE', KEYS[1], wanted)
          return {wanted, 1}
        end
        return {left, 0}
        """;

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

    /// <inheritdoc />
    public async ValueTask<CacheEntryExtension?> ExtendAsync(string key, TimeSpan extendBy, TimeSpan maxRemaining, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = (RedisResult[])(await _redis.GetDatabase(_database).ScriptEvaluateAsync(ExtendScript, [(RedisKey)(_prefix + key)],
            [(long)Math.Max(0, extendBy.TotalMilliseconds), (long)Math.Max(1, maxRemaining.TotalMilliseconds)]).ConfigureAwait(false))!;
        var left = (long)result[0];
        return left > 0 ? new CacheEntryExtension(TimeSpan.FromMilliseconds(left), (long)result[1] == 1) : null;
    }
}
