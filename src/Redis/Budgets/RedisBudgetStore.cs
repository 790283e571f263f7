using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
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
/// (remove the lease; add actual − reserved while the lease was still held, else the actual amount unless this settle
/// was applied already). A marker set per group (<c>{budget}:settles</c>) remembers the ids of leases that expired
/// unsettled and, for <see cref="BudgetLeaseIds.ReplayWindow"/>, of settles applied, so every operation can be replayed. A counter gets its
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
    /// Lua shared by the reserve and totals scripts (it expects <c>now</c>, <c>z</c> (the lease set), <c>x</c> (the
    /// marker set) and <c>keep</c> (until when an expired lease is remembered) in scope): for each lease that expired,
    /// gives back what its member says it reserved on each counter that still exists, drops it from the lease set and
    /// puts its id in the marker set, so that its late settle is known to be owed. The counters named in a member share
    /// the operation's hash tag (same slot).
    /// </summary>
    private const string PurgeExpiredLeases = """
        local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now)
        if #expired > 0 then
          redis.call('ZREMRANGEBYSCORE', x, '-inf', now)
          for _, m in ipairs(expired) do
            local p = string.find(m, ' ', 1, true)
            redis.call('ZADD', x, keep, string.sub(m, 1, p - 1))
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
          if redis.call('PEXPIRETIME', x) < tonumber(keep) then redis.call('PEXPIREAT', x, keep) end
        end
        """;

    // KEYS[1] is the lease set of the operation's hash-tag group, KEYS[2] its marker set, KEYS[3..] the counters.
    // ARGV: now, lease expiry, lease member ('' when nothing is reserved), lease-set expiry (also how long an expired
    // lease is remembered), then per counter amount, limit, counter expiry. A lease that is held already (a retry whose
    // first reply was lost) is returned again without reserving anything more.
    internal const string ReserveScript = """
        local now = tonumber(ARGV[1])
        local z = KEYS[1]
        local x = KEYS[2]
        local keep = ARGV[4]
        local n = #KEYS - 2
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        if ARGV[3] ~= '' and redis.call('ZSCORE', z, ARGV[3]) then
          for i = 1, n do totals[i] = tonumber(redis.call('HGET', KEYS[i + 2], 't')) or 0 end
          return {1, 0, unpack(totals)}
        end
        for i = 1, n do
          local k = KEYS[i + 2]
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
              if b ~= '0' then totals[j] = redis.call('HINCRBY', KEYS[j + 2], 't', '-' .. b) end
            end
            for j = i + 1, n do
              totals[j] = tonumber(redis.call('HGET', KEYS[j + 2], 't')) or 0
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

    // KEYS as for a reservation (the lease set, the marker set, the counters). ARGV: the lease member ('' when the lease
    // reserved nothing), the id, the mode ('l' a lease, 's' spend recorded without a lease), until when the settle is
    // remembered, now, then per counter actual − reserved, actual, counter expiry. A held lease is replaced by the actual
    // amounts; a settle applied already (its marker 'd:id' is in the marker set: a replay) changes nothing; anything else
    // — a lease that expired unsettled (its id is in the marker set), one the server lost, a recorded spend — adds them.
    internal const string SettleScript = """
        local x = KEYS[2]
        local done = 'd:' .. ARGV[2]
        redis.call('ZREMRANGEBYSCORE', x, '-inf', ARGV[5])
        local held = ARGV[3] == 'l' and ARGV[1] ~= '' and redis.call('ZREM', KEYS[1], ARGV[1]) == 1
        if not held then
          if ARGV[3] == 'l' then redis.call('ZREM', x, ARGV[2]) end
          if redis.call('ZSCORE', x, done) then return 0 end
        end
        redis.call('ZADD', x, ARGV[4], done)
        if redis.call('PEXPIRETIME', x) < tonumber(ARGV[4]) then redis.call('PEXPIREAT', x, ARGV[4]) end
        for i = 1, #KEYS - 2 do
          local d = ARGV[3 * i + 4]
          if held then d = ARGV[3 * i + 3] end
          if d ~= '0' then
            local k = KEYS[i + 2]
            local v = redis.call('HINCRBY', k, 't', d)
            if v == tonumber(d) then redis.call('PEXPIREAT', k, ARGV[3 * i + 5]) end
          end
        end
        if held then return 1 end
        return 2
        """;

    // KEYS: the lease set, the marker set, the counters. ARGV: now, until when an expired lease is remembered.
    internal const string TotalsScript = """
        local now = tonumber(ARGV[1])
        local z = KEYS[1]
        local x = KEYS[2]
        local keep = ARGV[2]
""" + "\n" + PurgeExpiredLeases + "\n" + """
        local totals = {}
        for i = 3, #KEYS do
          totals[i - 2] = tonumber(redis.call('HGET', KEYS[i], 't')) or 0
        end
        return totals
        """;

    private static readonly Script Reserve = new(ReserveScript);
    private static readonly Script Settle = new(SettleScript);
    private static readonly Script Totals = new(TotalsScript);

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly int _database;

    /// <summary>The most counter keys <see cref="_keyInfo"/> remembers before it starts over.</summary>
    private const int KeyInfoCapacity = 4096;

    /// <summary>
    /// What each counter key turns into (its Redis key, its lease set's, its part of a lease member), so that the
    /// strings are built once per key and window instead of once per call. Bounded: cleared when it reaches
    /// <see cref="KeyInfoCapacity"/> keys (ended windows, users who left).
    /// </summary>
    private readonly ConcurrentDictionary<string, KeyInfo> _keyInfo = new(StringComparer.Ordinal);
    private readonly Func<string, KeyInfo> _createKeyInfo;

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
        _createKeyInfo = key =>
        {
            var full = _prefix + key;
            var leaseSet = LeaseSetOf(key);
            return new KeyInfo(full, _prefix + leaseSet, _prefix + leaseSet[..^"leases".Length] + "settles",
                " " + Encoding.UTF8.GetByteCount(full).ToString(CultureInfo.InvariantCulture) + " " + full);
        };
    }

    /// <inheritdoc />
    public string Name => "redis";

    /// <summary>The Redis key of a counter (the hash).</summary>
    public string GetRedisKey(string counterKey) => _prefix + counterKey;

    /// <inheritdoc />
    public ValueTask<BudgetReservation> TryReserveAsync(IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        TryReserveAsync(BudgetLeaseIds.New(), charges, now, leaseExpiresAt, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<BudgetReservation> TryReserveAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, DateTimeOffset now, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (leaseId.Contains(' ', StringComparison.Ordinal)) throw new ArgumentException("A lease id cannot contain spaces.", nameof(leaseId));
        ArgumentNullException.ThrowIfNull(charges);
        if (charges.Count == 0) throw new ArgumentException("A reservation needs at least one charge.", nameof(charges));
        cancellationToken.ThrowIfCancellationRequested();
        var (keys, infos) = Keys(charges);
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
        args[2] = Member(leaseId, infos, charges);
        args[3] = latest + (long)LeaseSetMargin.TotalMilliseconds;

        var result = (RedisResult[])(await EvaluateAsync(Reserve, keys, args).ConfigureAwait(false))!;
        var totals = new long[charges.Count];
        for (var i = 0; i < totals.Length && i + 2 < result.Length; i++) totals[i] = (long)result[i + 2];
        return (long)result[0] == 1 ? BudgetReservation.Reserved(leaseId, totals) : BudgetReservation.Refused((int)(long)result[1] - 1, totals);
    }

    /// <inheritdoc cref="IBudgetStore.SettleAsync(string, IReadOnlyList{BudgetCharge}, IReadOnlyList{long}, CancellationToken)" />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, CancellationToken cancellationToken) =>
        SettleAsync(leaseId, charges, actual, DateTimeOffset.UtcNow, cancellationToken);

    /// <inheritdoc />
    public ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
        SettleAsync(leaseId, charges, actual, now, recorded: false);

    /// <inheritdoc />
    public ValueTask RecordSpendAsync(string spendId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, CancellationToken cancellationToken) =>
        SettleAsync(spendId, charges, actual, now, recorded: true);

    private async ValueTask SettleAsync(string leaseId, IReadOnlyList<BudgetCharge> charges, IReadOnlyList<long> actual, DateTimeOffset now, bool recorded)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        ArgumentNullException.ThrowIfNull(charges);
        ArgumentNullException.ThrowIfNull(actual);
        if (charges.Count == 0) throw new ArgumentException("A settle needs at least one charge.", nameof(charges));
        if (actual.Count != charges.Count) throw new ArgumentException("One actual amount per charge is needed.", nameof(actual));
        var (keys, infos) = Keys(charges);
        var args = new RedisValue[5 + (3 * charges.Count)];
        args[0] = recorded ? string.Empty : Member(leaseId, infos, charges);
        args[1] = leaseId;
        args[2] = recorded ? "s" : "l";
        args[3] = (now + BudgetLeaseIds.ReplayWindow).ToUnixTimeMilliseconds();
        args[4] = now.ToUnixTimeMilliseconds();
        for (var i = 0; i < charges.Count; i++)
        {
            var spent = Math.Max(0, actual[i]);
            args[5 + (3 * i)] = recorded ? spent : spent - charges[i].Amount;
            args[6 + (3 * i)] = spent;
            args[7 + (3 * i)] = charges[i].ExpiresAt.ToUnixTimeMilliseconds();
        }

        await EvaluateAsync(Settle, keys, args).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<long[]> GetTotalsAsync(IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        if (keys.Count == 0) return [];
        var redisKeys = new RedisKey[keys.Count + 2];
        redisKeys[0] = Info(keys[0]).LeaseSet;
        redisKeys[1] = Info(keys[0]).MarkerSet;
        for (var i = 0; i < keys.Count; i++) redisKeys[i + 2] = Info(keys[i]).Key;
        var keep = now.ToUnixTimeMilliseconds() + (long)LeaseSetMargin.TotalMilliseconds;
        var result = (RedisResult[])(await EvaluateAsync(Totals, redisKeys, [now.ToUnixTimeMilliseconds(), keep]).ConfigureAwait(false))!;
        return [.. result.Select(r => (long)r)];
    }

    /// <summary>One <c>SET key 1 NX PXAT expiresAt</c>: the first caller of any instance gets true until the key expires.</summary>
    public async ValueTask<bool> TryClaimOnceAsync(string key, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase(_database);
        var result = await db.ExecuteAsync("SET", (RedisKey)(_prefix + key), 1, "NX", "PXAT", expiresAt.ToUnixTimeMilliseconds()).ConfigureAwait(false);
        return !result.IsNull;
    }

    /// <inheritdoc />
    public async ValueTask AddToSetAsync(string key, string member, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(member);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase(_database);
        RedisKey redisKey = _prefix + key;
        // SADD then PEXPIREAT GT (Redis 7): the set lives until the latest expiry asked for, in one round trip.
        var transaction = db.CreateTransaction();
        _ = transaction.SetAddAsync(redisKey, member);
        _ = transaction.ExecuteAsync("PEXPIREAT", redisKey, expiresAt.ToUnixTimeMilliseconds(), "GT");
        _ = transaction.ExecuteAsync("PEXPIREAT", redisKey, expiresAt.ToUnixTimeMilliseconds(), "NX");
        await transaction.ExecuteAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyCollection<string>> GetSetAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        var members = await _redis.GetDatabase(_database).SetMembersAsync(_prefix + key).ConfigureAwait(false);
        return [.. members.Select(m => (string)m!)];
    }

    /// <summary>
    /// Runs a script by its SHA-1 (<c>EVALSHA</c> with the digest computed once, instead of StackExchange.Redis looking
    /// the ~2 KB text up in its script cache on every call); a server that does not know it yet (first use, a restart,
    /// <c>SCRIPT FLUSH</c>, a failover) gets the text once through the client's own load-and-retry path.
    /// </summary>
    private async Task<RedisResult> EvaluateAsync(Script script, RedisKey[] keys, RedisValue[] args)
    {
        var db = _redis.GetDatabase(_database);
        try
        {
            return await db.ScriptEvaluateAsync(script.Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(script.Text, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>A Lua script and its SHA-1 digest (what <c>EVALSHA</c> names it by).</summary>
    private sealed class Script(string text)
    {
        public string Text { get; } = text;

        [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "SHA-1 is how Redis names a script, not a security measure.")]
        public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    private KeyInfo Info(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_keyInfo.TryGetValue(key, out var info)) return info;
        if (_keyInfo.Count >= KeyInfoCapacity) _keyInfo.Clear();
        return _keyInfo.GetOrAdd(key, _createKeyInfo);
    }

    /// <summary>
    /// The script's keys (the lease set and the marker set of the first charge's group, then the counters) and each
    /// charge's key info.
    /// </summary>
    private (RedisKey[] Keys, KeyInfo[] Infos) Keys(IReadOnlyList<BudgetCharge> charges)
    {
        var keys = new RedisKey[charges.Count + 2];
        var infos = new KeyInfo[charges.Count];
        for (var i = 0; i < charges.Count; i++)
        {
            infos[i] = Info(charges[i].Key);
            keys[i + 2] = infos[i].Key;
        }

        keys[0] = infos[0].LeaseSet;
        keys[1] = infos[0].MarkerSet;
        return (keys, infos);
    }

    /// <summary>
    /// The lease's member in its lease set: the id, then for each counter it reserved something on, <c> amount
    /// length key</c> (the key's UTF-8 length, so that keys may contain spaces). Empty when the lease reserves nothing
    /// (it then has nothing to release and is not stored). Settle rebuilds it from the same charges.
    /// </summary>
    private static string Member(string leaseId, KeyInfo[] infos, IReadOnlyList<BudgetCharge> charges)
    {
        var length = leaseId.Length;
        for (var i = 0; i < charges.Count; i++)
        {
            if (charges[i].Amount != 0) length += 1 + Digits(charges[i].Amount) + infos[i].MemberSuffix.Length;
        }

        if (length == leaseId.Length) return string.Empty;
        return string.Create(length, (leaseId, infos, charges), static (span, state) =>
        {
            state.leaseId.AsSpan().CopyTo(span);
            var at = state.leaseId.Length;
            for (var i = 0; i < state.charges.Count; i++)
            {
                var amount = state.charges[i].Amount;
                if (amount == 0) continue;
                span[at++] = ' ';
                amount.TryFormat(span[at..], out var written, default, CultureInfo.InvariantCulture);
                at += written;
                state.infos[i].MemberSuffix.AsSpan().CopyTo(span[at..]);
                at += state.infos[i].MemberSuffix.Length;
            }
        });
    }

    private static int Digits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    /// <summary>
    /// A counter key's Redis key, its lease set's, its marker set's (expired leases still owed, settles applied) and
    /// <c> length key</c> for lease members.
    /// </summary>
    private sealed record KeyInfo(RedisKey Key, RedisKey LeaseSet, RedisKey MarkerSet, string MemberSuffix);

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
