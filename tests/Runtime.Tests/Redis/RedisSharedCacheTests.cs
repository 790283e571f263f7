using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Redis;

/// <summary>
/// The L2 cache on a real redis-server: two <see cref="PromptCacheChatClient"/>s with their own L1 and their own
/// connection stand for two processes sharing one Redis.
/// </summary>
[Trait("Needs", "redis")]
public sealed class RedisSharedCacheTests(RedisServer server) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Second_process_is_served_from_redis_and_the_entry_has_the_requested_ttl()
    {
        var prefix = UniquePrefix("shared");
        using var redis1 = Connect(server);
        using var redis2 = Connect(server);
        using var admin = Connect(server);
        var provider1 = new RecordingChatClient("answer from process 1");
        var provider2 = new RecordingChatClient("answer from process 2");

        // The default TTL is a day: if the metadata TTL were ignored, the Redis TTL would be far above 10 minutes.
        using var process1 = new PromptCacheChatClient(provider1, CacheOptions(defaultTtl: "1d"), new RedisResponseCacheStore(redis1, prefix));
        using var process2 = new PromptCacheChatClient(provider2, CacheOptions(defaultTtl: "1d"), new RedisResponseCacheStore(redis2, prefix));
        var messages = UniqueMessages();
        var options = WithMetadata(ttl: "10m");

        var first = await process1.GetResponseAsync(messages, options);
        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal("answer from process 1", first.Text);
        Assert.Equal(1, provider1.Calls);

        var second = await process2.GetResponseAsync(Copy(messages), WithMetadata(ttl: "10m"));
        Assert.Equal(CacheLayer.Distributed, second.GetCacheLayer());
        Assert.Equal("answer from process 1", second.Text);
        Assert.Equal(0, provider2.Calls);

        // Now in process 2's L1 as well.
        var third = await process2.GetResponseAsync(Copy(messages), WithMetadata(ttl: "10m"));
        Assert.Equal(CacheLayer.Memory, third.GetCacheLayer());
        Assert.Equal(0, provider2.Calls);
        Assert.Equal(1, provider1.Calls);

        var key = RedisKey(prefix, messages, options);
        var ttl = await admin.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.True(ttl.HasValue, $"The Redis entry {key} has no TTL (or does not exist).");
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));

        // The value is an entry for exactly this key.
        var bytes = (byte[]?)await admin.GetDatabase().StringGetAsync(key);
        Assert.NotNull(bytes);
        Assert.True(CacheEntrySerializer.TryDeserialize(bytes, key[prefix.Length..], DateTimeOffset.UtcNow, out var stored, out _));
        Assert.Equal("answer from process 1", stored!.Text);
    }

    [Fact]
    public async Task Entry_without_metadata_ttl_gets_the_default_ttl_in_redis()
    {
        var prefix = UniquePrefix("default-ttl");
        using var redis = Connect(server);
        using var client = new PromptCacheChatClient(new RecordingChatClient(), CacheOptions(defaultTtl: "00:03:00"), new RedisResponseCacheStore(redis, prefix));
        var messages = UniqueMessages();

        await client.GetResponseAsync(messages);

        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(RedisKey(prefix, messages, null));
        Assert.True(ttl.HasValue, "The Redis entry has no TTL (or does not exist).");
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Streamed_answer_is_stored_in_redis_and_replayed_in_another_process()
    {
        var prefix = UniquePrefix("stream");
        using var redis1 = Connect(server);
        using var redis2 = Connect(server);
        var provider1 = new RecordingChatClient("streamed answer");
        var provider2 = new RecordingChatClient("must not be called");
        using var process1 = new PromptCacheChatClient(provider1, CacheOptions(), new RedisResponseCacheStore(redis1, prefix));
        using var process2 = new PromptCacheChatClient(provider2, CacheOptions(), new RedisResponseCacheStore(redis2, prefix));
        var messages = UniqueMessages();

        var streamed = new List<ChatResponseUpdate>();
        await foreach (var update in process1.GetStreamingResponseAsync(messages, WithMetadata(ttl: "10m"))) streamed.Add(update);
        Assert.Equal("streamed answer", streamed.ToChatResponse().Text);
        Assert.Equal(1, provider1.Calls);

        var replayed = new List<ChatResponseUpdate>();
        await foreach (var update in process2.GetStreamingResponseAsync(Copy(messages), WithMetadata(ttl: "10m"))) replayed.Add(update);
        Assert.NotEmpty(replayed);
        Assert.All(replayed, u => Assert.Equal(CacheLayer.Distributed, u.GetCacheLayer()));
        Assert.Equal("streamed answer", replayed.ToChatResponse().Text);
        Assert.Equal(0, provider2.Calls);

        var ttl = await redis1.GetDatabase().KeyTimeToLiveAsync(RedisKey(prefix, messages, WithMetadata(ttl: "10m")));
        Assert.True(ttl.HasValue);
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
    }

    public static TheoryData<string> Garbage => ["random-bytes", "invalid-utf8", "invalid-json", "json-array", "other-key", "other-version", "expired", "null-message", "null-content", "negative-usage", "negative-usage-content", "unknown-content"];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task Unreadable_value_in_redis_is_a_miss_and_is_overwritten(string kind)
    {
        var prefix = UniquePrefix("garbage");
        using var redis = Connect(server);
        var messages = UniqueMessages();
        var options = WithMetadata(ttl: "10m");
        var cacheKey = PromptCacheKey.Compute(messages, options)!;
        var poisoned = new ChatResponse(new ChatMessage(ChatRole.Assistant, "poisoned"));
        byte[] value = kind switch
        {
            "random-bytes" => RandomBytes(),
            "invalid-utf8" => [0xFF, 0xFE, 0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x80],
            "invalid-json" => Encoding.UTF8.GetBytes("{\"v\":1,\"key\":\"" + cacheKey + "\",\"exp\":"),
            "json-array" => Encoding.UTF8.GetBytes("[1,2,3]"),
            // Well-formed entries that must still not be served: written for another key, in another format version, expired.
            "other-key" => CacheEntrySerializer.Serialize(PromptCacheKey.Prefix + new string('0', 64), poisoned, DateTimeOffset.UtcNow.AddHours(1)),
            "other-version" => OtherVersion(CacheEntrySerializer.Serialize(cacheKey, poisoned, DateTimeOffset.UtcNow.AddHours(1))),
            "expired" => CacheEntrySerializer.Serialize(cacheKey, poisoned, DateTimeOffset.UtcNow.AddMinutes(-1)),
            // Well-formed envelopes for the right key whose response is corrupt: a null message, a null content.
            "null-message" => Envelope(cacheKey, "{\"messages\":[null]}"),
            "null-content" => Envelope(cacheKey, "{\"messages\":[{\"role\":\"assistant\",\"contents\":[null]}]}"),
            // Token counts no provider reports: replayed on every hit they made the usage meter throw.
            "negative-usage" => Envelope(cacheKey, "{\"messages\":[{\"role\":\"assistant\",\"contents\":[{\"$type\":\"text\",\"text\":\"poisoned\"}]}],\"usage\":{\"inputTokenCount\":-5,\"outputTokenCount\":3}}"),
            "negative-usage-content" => Envelope(cacheKey, "{\"messages\":[{\"role\":\"assistant\",\"contents\":[{\"$type\":\"usage\",\"details\":{\"outputTokenCount\":-1}}]}]}"),
            "unknown-content" => Envelope(cacheKey, "{\"messages\":[{\"role\":\"assistant\",\"contents\":[{\"$type\":\"no-such-content\",\"text\":\"poisoned\"}]}]}"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        Assert.True(await redis.GetDatabase().StringSetAsync(prefix + cacheKey, value, TimeSpan.FromMinutes(5)));

        var logger = new FakeLogger<PromptCacheChatClient>();
        var provider = new RecordingChatClient("fresh answer");
        using (var client = new PromptCacheChatClient(provider, CacheOptions(), new RedisResponseCacheStore(redis, prefix), logger))
        {
            var response = await client.GetResponseAsync(messages, options);
            Assert.Equal(CacheLayer.None, response.GetCacheLayer());
            Assert.Equal("fresh answer", response.Text);
            Assert.Equal(1, provider.Calls);

            // A bad value is not an outage.
            Assert.False(client.IsDistributedDown);
            Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
        }

        var overwritten = (byte[]?)await redis.GetDatabase().StringGetAsync(prefix + cacheKey);
        Assert.NotNull(overwritten);
        Assert.True(CacheEntrySerializer.TryDeserialize(overwritten, cacheKey, DateTimeOffset.UtcNow, out var entry, out _),
            "The unreadable value was not overwritten with a valid entry.");
        Assert.Equal("fresh answer", entry!.Text);
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(prefix + cacheKey);
        Assert.True(ttl.HasValue);
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));

        var otherProvider = new RecordingChatClient("must not be called");
        using var fresh = new PromptCacheChatClient(otherProvider, CacheOptions(), new RedisResponseCacheStore(redis, prefix));
        var hit = await fresh.GetResponseAsync(Copy(messages), WithMetadata(ttl: "10m"));
        Assert.Equal(CacheLayer.Distributed, hit.GetCacheLayer());
        Assert.Equal("fresh answer", hit.Text);
        Assert.Equal(0, otherProvider.Calls);
    }

    [Fact]
    public async Task Scoped_entries_are_never_served_to_another_scope_or_to_unscoped_requests()
    {
        var prefix = UniquePrefix("scope");
        using var redis = Connect(server);
        var messages = UniqueMessages("my account balance");

        async Task<(ChatResponse Response, RecordingChatClient Provider)> AskInFreshProcess(string? scope, string answer)
        {
            var provider = new RecordingChatClient(answer);
            using var client = new PromptCacheChatClient(provider, CacheOptions(), new RedisResponseCacheStore(redis, prefix));
            return (await client.GetResponseAsync(Copy(messages), WithMetadata(scope: scope)), provider);
        }

        var (a, providerA) = await AskInFreshProcess("user-a", "secret of user a");
        Assert.Equal(CacheLayer.None, a.GetCacheLayer());
        Assert.Equal(1, providerA.Calls);

        // Positive control: the entry is in L2 and another process of user a gets it.
        var (aAgain, providerA2) = await AskInFreshProcess("user-a", "must not be called");
        Assert.Equal(CacheLayer.Distributed, aAgain.GetCacheLayer());
        Assert.Equal("secret of user a", aAgain.Text);
        Assert.Equal(0, providerA2.Calls);

        var (b, providerB) = await AskInFreshProcess("user-b", "answer for user b");
        Assert.Equal(CacheLayer.None, b.GetCacheLayer());
        Assert.Equal("answer for user b", b.Text);
        Assert.Equal(1, providerB.Calls);

        var (shared, providerShared) = await AskInFreshProcess(null, "shared answer");
        Assert.Equal(CacheLayer.None, shared.GetCacheLayer());
        Assert.Equal("shared answer", shared.Text);
        Assert.Equal(1, providerShared.Calls);

        // Each scope has an entry of its own, and user a's is unchanged.
        var keyA = RedisKey(prefix, messages, WithMetadata(scope: "user-a"));
        var keyB = RedisKey(prefix, messages, WithMetadata(scope: "user-b"));
        var keyShared = RedisKey(prefix, messages, WithMetadata());
        Assert.Equal(3, new HashSet<string>(StringComparer.Ordinal) { keyA, keyB, keyShared }.Count);
        var db = redis.GetDatabase();
        Assert.True(await db.KeyExistsAsync(keyB));
        Assert.True(await db.KeyExistsAsync(keyShared));
        Assert.True(CacheEntrySerializer.TryDeserialize((byte[])(await db.StringGetAsync(keyA))!, keyA[prefix.Length..], DateTimeOffset.UtcNow, out var stillA, out _));
        Assert.Equal("secret of user a", stillA!.Text);
    }

    private static byte[] Envelope(string cacheKey, string responseJson) => Encoding.UTF8.GetBytes(
        "{\"v\":1,\"key\":\"" + cacheKey + "\",\"exp\":" + DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds() + ",\"response\":" + responseJson + "}");

    private static byte[] OtherVersion(byte[] entry)
    {
        var json = Encoding.UTF8.GetString(entry);
        Assert.StartsWith("{\"v\":1,", json, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes("{\"v\":2," + json["{\"v\":1,".Length..]);
    }

    private static byte[] RandomBytes()
    {
        var bytes = new byte[512];
        new Random(20240601).NextBytes(bytes);
        return bytes;
    }
}
