using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using PromptOps.Caching.Semantic;
using StackExchange.Redis;

namespace PromptOps.Caching.Redis;

/// <summary>
/// The shared semantic index on Redis vector sets (<c>VADD</c>/<c>VSIM</c>/<c>VREM</c>; Redis 8 and Garnet with
/// <c>--enable-vector-set-preview</c>). One vector set per partition (key: prefix + partition key + dimensions), one
/// element per cached answer, named by its exact cache key (L2 holds the answer under that key) with the user text and
/// the expiry as attributes. Vectors are stored unquantised (<c>NOQUANT</c>). The set itself expires (<c>PEXPIRE</c>,
/// only ever extended) after the longest TTL added to it; an element that expired before its set did is skipped by the
/// reader and removed when its answer is gone from L2. Failures throw; the cache turns them into a skipped store.
/// </summary>
public sealed class RedisVectorSetSemanticStore : ISemanticCacheStore
{
    private const string ProbeElement = "probe";
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly int _database;
    private VectorSetScore _score;

    /// <summary>Creates the store.</summary>
    /// <param name="redis">The connection (shared; not disposed here).</param>
    /// <param name="keyPrefix">Prepended to every key (an application name), may be empty.</param>
    /// <param name="score">What the server's <c>VSIM</c> score means; <see cref="VectorSetScore.Auto"/> probes once.</param>
    /// <param name="database">The Redis database; -1 for the connection's default.</param>
    public RedisVectorSetSemanticStore(IConnectionMultiplexer redis, string? keyPrefix = null, VectorSetScore score = VectorSetScore.Auto, int database = -1)
    {
        ArgumentNullException.ThrowIfNull(redis);
        if (!Enum.IsDefined(score)) throw new ArgumentOutOfRangeException(nameof(score), score, "Unknown VectorSetScore.");
        _redis = redis;
        _prefix = keyPrefix ?? string.Empty;
        _score = score;
        _database = database;
    }

    /// <inheritdoc />
    public string Name => "redis-vectorset";

    /// <summary>What the server's scores mean (after the probe, when it was <see cref="VectorSetScore.Auto"/>).</summary>
    public VectorSetScore Score => _score;

    /// <inheritdoc />
    public async ValueTask AddAsync(string partitionKey, string exactKey, ReadOnlyMemory<float> vector, string text, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(exactKey);
        ArgumentNullException.ThrowIfNull(text);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase(_database);
        var key = Key(partitionKey, vector.Length);
        var attributes = JsonSerializer.Serialize(new Attributes { Text = text, ExpiresAt = expiresAt.ToUnixTimeMilliseconds() }, AttributesContext.Default.Attributes);
        await db.ExecuteAsync("VADD", key, "FP32", Blob(vector), exactKey, "NOQUANT", "SETATTR", attributes).ConfigureAwait(false);

        var ttl = expiresAt - DateTimeOffset.UtcNow;
        if (ttl <= TimeSpan.Zero) ttl = TimeSpan.FromSeconds(1);
        var current = await db.KeyTimeToLiveAsync(key).ConfigureAwait(false);
        if (current is null || current < ttl) await db.KeyExpireAsync(key, ttl).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SemanticStoreMatch>> SearchAsync(string partitionKey, ReadOnlyMemory<float> vector, int count,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase(_database);
        var key = Key(partitionKey, vector.Length);
        if (!await db.KeyExistsAsync(key).ConfigureAwait(false)) return [];
        var score = await ResolveScoreAsync(db).ConfigureAwait(false);
        var result = await db.ExecuteAsync("VSIM", key, "FP32", Blob(vector), "WITHSCORES", "WITHATTRIBS", "COUNT", count).ConfigureAwait(false);
        if (result.IsNull || result.Resp2Type != ResultType.Array) return [];
        // RESP3 (StackExchange.Redis' default): a map element → [score, attributes]; RESP2: flat element, score, attributes.
        var items = (RedisResult[])result!;
        var matches = new List<SemanticStoreMatch>(items.Length / 2);
        var i = 0;
        while (i + 1 < items.Length)
        {
            var element = (string?)items[i];
            RedisResult scoreItem;
            RedisResult? attributeItem;
            if (items[i + 1].Resp2Type == ResultType.Array)
            {
                var pair = (RedisResult[])items[i + 1]!;
                scoreItem = pair[0];
                attributeItem = pair.Length > 1 ? pair[1] : null;
                i += 2;
            }
            else
            {
                scoreItem = items[i + 1];
                attributeItem = i + 2 < items.Length ? items[i + 2] : null;
                i += 3;
            }

            var attributes = (string?)attributeItem;
            if (element is null || string.IsNullOrEmpty(attributes) ||
                !double.TryParse((string?)scoreItem, NumberStyles.Float, CultureInfo.InvariantCulture, out var raw))
            {
                continue;
            }

            Attributes? a;
            try
            {
                a = JsonSerializer.Deserialize(attributes, AttributesContext.Default.Attributes);
            }
            catch (JsonException)
            {
                continue; // not ours or broken: never a hit
            }

            if (a?.Text is null) continue;
            var cosine = score == VectorSetScore.SquaredL2Distance ? 1 - (raw / 2) : (2 * raw) - 1;
            matches.Add(new SemanticStoreMatch(element, a.Text, (float)cosine, DateTimeOffset.FromUnixTimeMilliseconds(a.ExpiresAt)));
        }

        matches.Sort((x, y) => y.Similarity.CompareTo(x.Similarity));
        return matches;
    }

    /// <inheritdoc />
    public async ValueTask RemoveAsync(string partitionKey, string exactKey, int dimensions, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(partitionKey);
        ArgumentException.ThrowIfNullOrEmpty(exactKey);
        cancellationToken.ThrowIfCancellationRequested();
        var db = _redis.GetDatabase(_database);
        var key = Key(partitionKey, dimensions);
        if (await db.KeyExistsAsync(key).ConfigureAwait(false)) await db.ExecuteAsync("VREM", key, exactKey).ConfigureAwait(false);
    }

    private async ValueTask<VectorSetScore> ResolveScoreAsync(IDatabase db)
    {
        if (_score != VectorSetScore.Auto) return _score;
        var probe = (RedisKey)($"{_prefix}{PromptCacheKey.Prefix}vsim-probe:{Guid.NewGuid():N}");
        try
        {
            float[] v = [1f, 0f];
            await db.ExecuteAsync("VADD", probe, "FP32", Blob(v), ProbeElement, "NOQUANT").ConfigureAwait(false);
            var result = (RedisResult[])(await db.ExecuteAsync("VSIM", probe, "FP32", Blob(v), "WITHSCORES", "COUNT", 1).ConfigureAwait(false))!;
            var scoreItem = result[1].Resp2Type == ResultType.Array ? result[1][0] : result[1];
            var raw = double.Parse((string)scoreItem!, NumberStyles.Float, CultureInfo.InvariantCulture);
            _score = raw < 0.5 ? VectorSetScore.SquaredL2Distance : VectorSetScore.Similarity;
            return _score;
        }
        finally
        {
            await db.KeyDeleteAsync(probe).ConfigureAwait(false);
        }
    }

    private RedisKey Key(string partitionKey, int dimensions) => $"{_prefix}{partitionKey}:d{dimensions.ToString(CultureInfo.InvariantCulture)}";

    private static byte[] Blob(ReadOnlyMemory<float> vector) => MemoryMarshal.AsBytes(vector.Span).ToArray();

    internal sealed class Attributes
    {
        [System.Text.Json.Serialization.JsonPropertyName("t")]
        public string? Text { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("e")]
        public long ExpiresAt { get; set; }
    }
}
