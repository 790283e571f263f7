using System.Globalization;
using StackExchange.Redis;

namespace PromptOps.Budgets.Redis;

/// <summary>
/// The <see cref="IBudgetStore"/> every instance shares: each counter is a Redis hash (<c>u</c> = used,
/// <c>r</c> = reserved, <c>l:&lt;lease&gt;</c> = what a lease reserved); the leases of a hash-tag group (e.g. every
/// budget window, <c>{budget}</c>, or one user's plan counters) are one sorted set of lease ids by expiry
/// (<see cref="LeaseSetOf"/>). The charges of one operation must share a hash tag. An expired lease is dropped from the
/// counters of the operation that finds it (the current windows); a window that has already ended may keep it counted
/// as reserved until its key expires, which changes nothing (nobody reserves in an ended window). Check-and-reserve is one Lua script (drop expired leases, check every limit, reserve
/// all or nothing) and so is settle; both set the keys to expire after their window. Amounts travel as strings and
/// are added with <c>HINCRBY</c> (exact integers). A counter's expiry is set when it is created (by a reservation) and by
/// every settle; the lease set's by every reservation, to the latest expiry of its counters (always later than any
/// lease it holds, so it never drops a live lease). All keys of one operation share a hash tag (the caller puts
/// <c>{…}</c> in the key), so the scripts also run on a Redis Cluster. Lease expiry uses the caller's clock: the
/// instances' clocks must agree to within a small fraction of the lease duration. Failures throw; the
/// <see cref="ResilientBudgetStore"/> applies the configured policy.
/// </summary>
public sealed class RedisBudgetStore : IBudgetStore
{
    /// <summary>
    /// Lua shared by the reserve and totals scripts (it expects <c>now</c> and <c>z</c>, the lease set, in scope): releases
    /// the reservations of leases that expired (a process died before it settled) and drops them from the lease set.
    /// </summary>
    private const string PurgeExpiredLeases = """
        local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
        if #expired > 0 then
          for _, e in ipairs(expired) do
            for i = 2, #KEYS do
              local a = redis.call('HGET', KEYS[i], 'l:' .. e)
              if a then
                if a ~= '0' then redis.call('HINCRBY', KEYS[i], 'r', '-' .. a) end
                redis.call('HDEL', KEYS[i], 'l:' .. e)
              end
            end
          end
          redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
        end
        """;

    // KEYS[1] is the lease set of the operation's hash-tag group, KEYS[2..] the counters.
    internal const string ReserveScript = """
        local now = tonumber(ARGV[1])
        local id = ARGV[3]
        local z = KEYS[1]
        local n = #KEYS - 1
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        local fresh = {}
        for i = 1, n do
          local v = redis.call('HMGET', KEYS[i + 1], 'u', 'r')
          local total = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
          totals[i] = total
          fresh[i] = not v[1] and not v[2]
          if total + tonumber(ARGV[3 * i + 1]) > tonumber(ARGV[3 * i + 2]) then
            for j = i + 1, n do
              local w = redis.call('HMGET', KEYS[j + 1], 'u', 'r')
              totals[j] = (tonumber(w[1]) or 0) + (tonumber(w[2]) or 0)
            end
            return {0, i, unpack(totals)}
          end
        end
        local latest = 0
        for i = 1, n do
          local k = KEYS[i + 1]
          local amount = ARGV[3 * i + 1]
          if amount ~= '0' then redis.call('HINCRBY', k, 'r', amount) end
          redis.call('HSET', k, 'l:' .. id, amount)
          if fresh[i] then redis.call('PEXPIREAT', k, ARGV[3 * i + 3]) end
          if tonumber(ARGV[3 * i + 3]) > latest then latest = tonumber(ARGV[3 * i + 3]) end
          totals[i] = totals[i] + tonumber(amount)
        end
        redis.call('ZADD', z, ARGV[2], id)
        redis.call('PEXPIREAT', z, latest)
        return {1, 0, unpack(totals)}
        """;

    internal const string SettleScript = """
        local id = ARGV[1]
        for i = 2, #KEYS do
          local k = KEYS[i]
          local a = redis.call('HGET', k, 'l:' .. id)
          if a then
            if a ~= '0' then redis.call('HINCRBY', k, 'r', '-' .. a) end
            redis.call('HDEL', k, 'l:' .. id)
          end
          local actual = ARGV[2 * i - 2]
          if actual ~= '0' then redis.call('HINCRBY', k, 'u', actual) end
          redis.call('PEXPIREAT', k, ARGV[2 * i - 1])
        end
        redis.call('ZREM', KEYS[1], id)
        return 1
        """;

    internal const string TotalsScript = """
        local now = tonumber(ARGV[1])
        local z = KEYS[1]
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        for i = 2, #KEYS do
          local v = redis.call('HMGET', KEYS[i], 'u', 'r')
          totals[i - 1] = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
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

    /// <summary>The Redis key of a counter (the hash).</summary>
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
        var keys = new RedisKey[count + 1];
        keys[0] = _prefix + LeaseSetOf(key(0));
        for (var i = 0; i < count; i++) keys[i + 1] = _prefix + key(i);
        return keys;
    }

    /// <summary>
    /// The lease set of the hash-tag group a counter key belongs to: <c>{budget}:d:20261130</c> → <c>{budget}:leases</c>.
    /// A key without a hash tag has a lease set of its own (<c>key:leases</c>).
    /// </summary>
    public static string LeaseSetOf(string counterKey)
    {
        ArgumentNullException.ThrowIfNull(counterKey);
        var close = counterKey.StartsWith('{') ? counterKey.IndexOf('}', StringComparison.Ordinal) : -1;
        return close > 1 ? counterKey[..(close + 1)] + ":leases" : counterKey + ":leases";
    }
}
