using System.Globalization;
using StackExchange.Redis;

namespace PromptOps.Budgets.Redis;

/// <summary>
/// The <see cref="IBudgetStore"/> every instance shares: each counter is a Redis hash (<c>u</c> = used,
/// <c>r</c> = reserved, <c>l:&lt;lease&gt;</c> = what a lease reserved) plus a sorted set of its lease ids by expiry
/// (<c>&lt;key&gt;:leases</c>). Check-and-reserve is one Lua script (drop expired leases, check every limit, reserve
/// all or nothing) and so is settle; both set the keys to expire after their window. Amounts travel as strings and
/// are added with <c>HINCRBY</c> (exact integers). A counter's expiry is set when it is created (by a reservation) and by
/// every settle; the lease set's on every reservation (it disappears when its last lease goes). All keys of one operation share a hash tag (the caller puts
/// <c>{…}</c> in the key), so the scripts also run on a Redis Cluster. Lease expiry uses the caller's clock: the
/// instances' clocks must agree to within a small fraction of the lease duration. Failures throw; the
/// <see cref="ResilientBudgetStore"/> applies the configured policy.
/// </summary>
public sealed class RedisBudgetStore : IBudgetStore
{
    internal const string ReserveScript = """
        local now = tonumber(ARGV[1])
        local id = ARGV[3]
        local n = #KEYS / 2
        local totals = {}
        local fresh = {}
        for i = 1, n do
          local k, z = KEYS[2 * i - 1], KEYS[2 * i]
          local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
          for _, e in ipairs(expired) do
            local a = redis.call('HGET', k, 'l:' .. e)
            if a then
              if a ~= '0' then redis.call('HINCRBY', k, 'r', '-' .. a) end
              redis.call('HDEL', k, 'l:' .. e)
            end
          end
          if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', now) end
          local v = redis.call('HMGET', k, 'u', 'r')
          local total = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
          totals[i] = total
          fresh[i] = not v[1] and not v[2]
          if total + tonumber(ARGV[3 * i + 1]) > tonumber(ARGV[3 * i + 2]) then
            for j = i + 1, n do
              local w = redis.call('HMGET', KEYS[2 * j - 1], 'u', 'r')
              totals[j] = (tonumber(w[1]) or 0) + (tonumber(w[2]) or 0)
            end
            return {0, i, unpack(totals)}
          end
        end
        for i = 1, n do
          local k, z = KEYS[2 * i - 1], KEYS[2 * i]
          local amount = ARGV[3 * i + 1]
          if amount ~= '0' then redis.call('HINCRBY', k, 'r', amount) end
          redis.call('HSET', k, 'l:' .. id, amount)
          redis.call('ZADD', z, ARGV[2], id)
          if fresh[i] then redis.call('PEXPIREAT', k, ARGV[3 * i + 3]) end
          redis.call('PEXPIREAT', z, ARGV[3 * i + 3])
          totals[i] = totals[i] + tonumber(amount)
        end
        return {1, 0, unpack(totals)}
        """;

    internal const string SettleScript = """
        local id = ARGV[1]
        for i = 1, #KEYS / 2 do
          local k, z = KEYS[2 * i - 1], KEYS[2 * i]
          local a = redis.call('HGET', k, 'l:' .. id)
          if a then
            if a ~= '0' then redis.call('HINCRBY', k, 'r', '-' .. a) end
            redis.call('HDEL', k, 'l:' .. id)
            redis.call('ZREM', z, id)
          end
          local actual = ARGV[2 * i]
          if actual ~= '0' then redis.call('HINCRBY', k, 'u', actual) end
          redis.call('PEXPIREAT', k, ARGV[2 * i + 1])
          if redis.call('EXISTS', z) == 1 then redis.call('PEXPIREAT', z, ARGV[2 * i + 1]) end
        end
        return 1
        """;

    internal const string TotalsScript = """
        local now = tonumber(ARGV[1])
        local totals = {}
        for i = 1, #KEYS / 2 do
          local k, z = KEYS[2 * i - 1], KEYS[2 * i]
          local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
          for _, e in ipairs(expired) do
            local a = redis.call('HGET', k, 'l:' .. e)
            if a then
              if a ~= '0' then redis.call('HINCRBY', k, 'r', '-' .. a) end
              redis.call('HDEL', k, 'l:' .. e)
            end
          end
          if #expired > 0 then redis.call('ZREMRANGEBYSCORE', z, '-inf', now) end
          local v = redis.call('HMGET', k, 'u', 'r')
          totals[i] = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
        end
        return totals
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly int _database;

    /// <summary>Creates the store.</summary>
    /// <param name="redis">The connection (shared; not disposed here).</param>
    /// <param name="keyPrefix">Prepended to every key (an application name), may be empty.</param>
    /// <param name="database">The Redis database; -1 for the connection's default.</param>
    public RedisBudgetStore(IConnectionMultiplexer redis, string? keyPrefix = null, int database = -1)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _prefix = keyPrefix ?? string.Empty;
        _database = database;
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <summary>The Redis key of a counter (the hash); its leases are under this key + <c>:leases</c>.</summary>
    public string GetRedisKey(string counterKey) => _prefix + counterKey;

    /// <inheritdoc />
    public async ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(charges);
        if (charges.Count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        cancellationToken.ThrowIfCancellationRequested();
        var leaseId = Guid.NewGuid().ToString("N");
        var keys = Keys(charges.Count, i => charges[i].Key);
        var args = new RedisValue[3 + (3 * charges.Count)];
        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = leaseExpiresAt.ToUnixTimeMilliseconds();
        args[2] = leaseId;
        for (var i = 0; i < charges.Count; i++)
        {
            var c = charges[i];
            if (c.Amount < 0) throw new ArgumentOutOfRangeException(nameof(charges), c.Amount, $"The amount reserved on '{c.Key}' is negative.");
            args[3 + (3 * i)] = c.Amount.ToString(CultureInfo.InvariantCulture);
            args[4 + (3 * i)] = c.Limit.ToString(CultureInfo.InvariantCulture);
            args[5 + (3 * i)] = c.ExpiresAt.ToUnixTimeMilliseconds();
        }

        var result = (RedisResult[])(await _redis.GetDatabase(_database).ScriptEvaluateAsync(ReserveScript, keys, args).ConfigureAwait(false))!;
        var totals = new long[charges.Count];
        for (var i = 0; i < totals.Length && i + 2 < result.Length; i++) totals[i] = (long)result[i + 2];
        return (long)result[0] == 1 ? BudgetReservation.Reserved(leaseId, totals) : BudgetReservation.Refused((int)(long)result[1] - 1, totals);
    }

    /// <inheritdoc />
    public async ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(actual);
        if (actual.Count != charges.Count) throw new ArgumentException("One actual amount per charge is needed.", nameof(actual));
        var keys = Keys(charges.Count, i => charges[i].Key);
        var args = new RedisValue[1 + (2 * charges.Count)];
        args[0] = leaseId;
        for (var i = 0; i < charges.Count; i++)
        {
            args[1 + (2 * i)] = Math.Max(0, actual[i]).ToString(CultureInfo.InvariantCulture);
            args[2 + (2 * i)] = charges[i].ExpiresAt.ToUnixTimeMilliseconds();
        }

        await _redis.GetDatabase(_database).ScriptEvaluateAsync(SettleScript, keys, args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        if (keys.Count == 0) return [];
        var result = (RedisResult[])(await _redis.GetDatabase(_database)
            .ScriptEvaluateAsync(TotalsScript, Keys(keys.Count, i => keys[i]), [now.ToUnixTimeMilliseconds()]).ConfigureAwait(false))!;
        return [.. result.Select(r => (long)r)];
    }

    private RedisKey[] Keys(int count, Func<int, string> key)
    {
        var keys = new RedisKey[2 * count];
        for (var i = 0; i < count; i++)
        {
            var k = _prefix + key(i);
            keys[2 * i] = k;
            keys[(2 * i) + 1] = k + ":leases";
        }

        return keys;
    }
}
