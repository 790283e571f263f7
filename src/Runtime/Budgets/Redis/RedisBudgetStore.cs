using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace PromptOps.Budgets.Redis;

/// <summary>
/// The <see cref="IBudgetStore"/> every instance shares. Each counter is a Redis hash with one field, <c>t</c> = used +
/// reserved (an integer, changed only with <c>HINCRBY</c>). The leases of a hash-tag group (e.g. every budget window,
/// <c>{budget}</c>, or one user's plan counters) are one sorted set scored by expiry (<see cref="LeaseSetOf"/>) whose
/// members carry what each lease reserved on which counter (<c>id amount keylength key …</c>), so that the operation
/// that finds an expired lease (a process died before it settled) can release it. Check-and-reserve is one Lua script
/// (drop expired leases; add the amount to each counter and keep it if it fits, else undo and refuse) and so is settle
/// (remove the lease; add actual − reserved while the lease was still held, else the actual amount). A counter gets its
/// expiry (the end of its window plus a grace period) from the command that creates it; the lease set's expiry is pushed
/// 32 days past the latest counter of every reservation, so it outlives every counter a lease in it touches (an empty
/// lease set disappears by itself). All keys of one operation share a hash tag (the caller puts <c>{…}</c> in the key),
/// so the scripts also run on a Redis Cluster. Lease expiry uses the caller's clock: the instances' clocks must agree
/// to within a small fraction of the lease duration. Failures throw; the <see cref="ResilientBudgetStore"/> applies the
/// configured policy.
/// <para>Per reservation of n windows the script runs n + 3 commands (n + 4 when it creates the counters) and a settle
/// n + 1; the design and its measurements are in <c>benchmarks/README.md</c> (section 8).</para>
/// </summary>
public sealed class RedisBudgetStore : IBudgetStore
{
    /// <summary>How long past its latest counter a lease set is kept, so that it outlives every counter its leases charged.</summary>
    private static readonly TimeSpan LeaseSetMargin = TimeSpan.FromDays(32);

    /// <summary>
    /// Lua shared by the reserve and totals scripts (it expects <c>now</c> and <c>z</c>, the lease set, in scope): for
    /// each lease that expired, gives back what its member says it reserved on each counter that still exists, then
    /// drops it from the lease set. The counters named in a member share the operation's hash tag (same slot).
    /// </summary>
    private const string PurgeExpiredLeases = """
        local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
        if #expired > 0 then
          for _, m in ipairs(expired) do
            local p = string.find(m, ' ', 1, true)
            while p do
              local q = string.find(m, ' ', p + 1, true)
              local r = string.find(m, ' ', q + 1, true)
              local len = tonumber(string.sub(m, q + 1, r - 1))
              local k = string.sub(m, r + 1, r + len)
              if redis.call('EXISTS', k) == 1 then redis.call('HINCRBY', k, 't', '-' .. string.sub(m, p + 1, q - 1)) end
              p = string.find(m, ' ', r + len + 1, true)
            end
          end
          redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
        end
        """;

    // KEYS[1] is the lease set of the operation's hash-tag group, KEYS[2..] the counters.
    // ARGV: now, lease expiry, lease member ('' when nothing is reserved), lease-set expiry, then per counter
    // amount, limit, counter expiry.
    internal const string ReserveScript = """
        local now = tonumber(ARGV[1])
        local z = KEYS[1]
        local n = #KEYS - 1
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        for i = 1, n do
          local k = KEYS[i + 1]
          local a = ARGV[3 * i + 2]
          local v
          if a == '0' then
            v = tonumber(redis.call('HGET', k, 't')) or 0
          else
            v = redis.call('HINCRBY', k, 't', a)
            if v == tonumber(a) then redis.call('PEXPIREAT', k, ARGV[3 * i + 4]) end
          end
          totals[i] = v
          if v > tonumber(ARGV[3 * i + 3]) then
            for j = 1, i do
              local b = ARGV[3 * j + 2]
              if b ~= '0' then totals[j] = redis.call('HINCRBY', KEYS[j + 1], 't', '-' .. b) end
            end
            for j = i + 1, n do
              totals[j] = tonumber(redis.call('HGET', KEYS[j + 1], 't')) or 0
            end
            return {0, i, unpack(totals)}
          end
        end
        if ARGV[3] ~= '' then
          redis.call('ZADD', z, ARGV[2], ARGV[3])
          redis.call('PEXPIREAT', z, ARGV[4])
        end
        return {1, 0, unpack(totals)}
        """;

    // ARGV: the lease member ('' when the lease reserved nothing), then per counter actual − reserved, actual, counter expiry.
    internal const string SettleScript = """
        local held = ARGV[1] ~= '' and redis.call('ZREM', KEYS[1], ARGV[1]) == 1
        for i = 1, #KEYS - 1 do
          local d = ARGV[3 * i]
          if held then d = ARGV[3 * i - 1] end
          if d ~= '0' then
            local k = KEYS[i + 1]
            local v = redis.call('HINCRBY', k, 't', d)
            if v == tonumber(d) then redis.call('PEXPIREAT', k, ARGV[3 * i + 1]) end
          end
        end
        return 1
        """;

    internal const string TotalsScript = """
        local now = tonumber(ARGV[1])
        local z = KEYS[1]
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        for i = 2, #KEYS do
          totals[i - 1] = tonumber(redis.call('HGET', KEYS[i], 't')) or 0
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
        var args = new RedisValue[4 + (3 * charges.Count)];
        var latest = long.MinValue;
        for (var i = 0; i < charges.Count; i++)
        {
            var c = charges[i];
            if (c.Amount < 0) throw new ArgumentOutOfRangeException(nameof(charges), c.Amount, $"The amount reserved on '{c.Key}' is negative.");
            var expires = c.ExpiresAt.ToUnixTimeMilliseconds();
            args[4 + (3 * i)] = c.Amount;
            args[5 + (3 * i)] = c.Limit;
            args[6 + (3 * i)] = expires;
            latest = Math.Max(latest, expires);
        }

        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = leaseExpiresAt.ToUnixTimeMilliseconds();
        args[2] = Member(leaseId, keys, charges);
        args[3] = latest + (long)LeaseSetMargin.TotalMilliseconds;

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
        var args = new RedisValue[1 + (3 * charges.Count)];
        args[0] = Member(leaseId, keys, charges);
        for (var i = 0; i < charges.Count; i++)
        {
            var spent = Math.Max(0, actual[i]);
            args[1 + (3 * i)] = spent - charges[i].Amount;
            args[2 + (3 * i)] = spent;
            args[3 + (3 * i)] = charges[i].ExpiresAt.ToUnixTimeMilliseconds();
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
    /// The lease's member in its lease set: the id, then for each counter it reserved something on, <c> amount
    /// length key</c> (the key's UTF-8 length, so that keys may contain spaces). Empty when the lease reserves nothing
    /// (it then has nothing to release and is not stored). Settle rebuilds it from the same charges.
    /// </summary>
    private static string Member(string leaseId, RedisKey[] keys, IReadOnlyList<BudgetCharge> charges)
    {
        var builder = new StringBuilder(leaseId, 128);
        var any = false;
        for (var i = 0; i < charges.Count; i++)
        {
            if (charges[i].Amount == 0) continue;
            var key = (string)keys[i + 1]!;
            builder.Append(' ').Append(charges[i].Amount.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(Encoding.UTF8.GetByteCount(key).ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(key);
            any = true;
        }

        return any ? builder.ToString() : string.Empty;
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
