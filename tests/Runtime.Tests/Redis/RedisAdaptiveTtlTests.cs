using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Tests.Infrastructure;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Redis;

/// <summary>
/// The TTL optimiser and time-sensitive requests on a real redis-server. Each <see cref="PromptCacheChatClient"/> has its
/// own L1, so each stands for a process reading the shared entry from Redis. The assertions bound Redis' own TTL from
/// both sides with minutes of margin: a value above the base TTL exists only if a hit extended the key.
/// </summary>
[Trait("Needs", "redis")]
public sealed class RedisAdaptiveTtlTests(RedisServer server) : IClassFixture<RedisServer>
{
    private static PromptCacheOptions Adaptive(double extension, double max)
    {
        var options = CacheOptions();
        options.AdaptiveTtl.Enabled = true;
        options.AdaptiveTtl.ExtensionFactor = extension;
        options.AdaptiveTtl.MaxFactor = max;
        return options;
    }

    [Fact]
    public async Task A_hot_entry_is_extended_in_redis_up_to_the_cap_and_a_never_hit_entry_keeps_its_ttl()
    {
        var prefix = UniquePrefix("adaptive");
        using var redis = Connect(server);
        var store = new RedisResponseCacheStore(redis, prefix);
        var hot = UniqueMessages("hot");
        var cold = UniqueMessages("cold");
        var options = WithMetadata(ttl: "10m"); // +5 minutes per hit, cap 20 minutes
        using (var writer = new PromptCacheChatClient(new RecordingChatClient("answer"), Adaptive(0.5, 2), store))
        {
            await writer.GetResponseAsync(hot, options);
            await writer.GetResponseAsync(cold, options);
        }

        var db = redis.GetDatabase();
        var hotKey = RedisKey(prefix, hot, options);
        var coldKey = RedisKey(prefix, cold, options);
        Assert.InRange((await db.KeyTimeToLiveAsync(hotKey))!.Value, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));

        // A second process reads the hot entry from Redis: its expiry moves 5 minutes later, atomically in Redis.
        var provider = new RecordingChatClient("must not be called");
        using (var second = new PromptCacheChatClient(provider, Adaptive(0.5, 2), store))
        {
            Assert.Equal(CacheLayer.Distributed, (await second.GetResponseAsync(Copy(hot), options)).GetCacheLayer());
        }

        Assert.InRange((await db.KeyTimeToLiveAsync(hotKey))!.Value, TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(15));

        // Two more processes: the second of them reaches the cap (20 minutes after the entry was stored), never beyond.
        for (var i = 0; i < 2; i++)
        {
            using var other = new PromptCacheChatClient(provider, Adaptive(0.5, 2), store);
            Assert.Equal(CacheLayer.Distributed, (await other.GetResponseAsync(Copy(hot), options)).GetCacheLayer());
        }

        Assert.InRange((await db.KeyTimeToLiveAsync(hotKey))!.Value, TimeSpan.FromMinutes(15) + TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(20));
        Assert.Equal(0, provider.Calls);

        // The entry nobody read keeps its base TTL.
        Assert.InRange((await db.KeyTimeToLiveAsync(coldKey))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Concurrent_hits_from_several_processes_each_extend_the_entry_none_is_lost()
    {
        var prefix = UniquePrefix("adaptive-race");
        using var redis = Connect(server);
        var store = new RedisResponseCacheStore(redis, prefix);
        var messages = UniqueMessages("race");
        var options = WithMetadata(ttl: "10m"); // +1 minute per hit, cap 100 minutes
        using (var writer = new PromptCacheChatClient(new RecordingChatClient("answer"), Adaptive(0.1, 10), store))
        {
            await writer.GetResponseAsync(messages, options);
        }

        const int Processes = 8;
        var clients = Enumerable.Range(0, Processes).Select(_ => new PromptCacheChatClient(new RecordingChatClient("must not be called"), Adaptive(0.1, 10), store)).ToList();
        try
        {
            var hits = await Task.WhenAll(clients.Select(c => c.GetResponseAsync(Copy(messages), WithMetadata(ttl: "10m"))));
            Assert.All(hits, h => Assert.Equal(CacheLayer.Distributed, h.GetCacheLayer()));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }

        // Eight extensions of one minute each: a lost update (read-modify-write) would leave at most 10 + 7 minutes.
        var ttl = (await redis.GetDatabase().KeyTimeToLiveAsync(RedisKey(prefix, messages, options)))!.Value;
        Assert.InRange(ttl, TimeSpan.FromMinutes(17) + TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(18));
    }

    [Fact]
    public async Task A_time_sensitive_request_gets_the_short_ttl_in_redis_and_hits_do_not_extend_it()
    {
        var prefix = UniquePrefix("time-sensitive");
        using var redis = Connect(server);
        var store = new RedisResponseCacheStore(redis, prefix);
        List<Microsoft.Extensions.AI.ChatMessage> messages =
        [
            new(Microsoft.Extensions.AI.ChatRole.System, "You are terse."),
            new(Microsoft.Extensions.AI.ChatRole.User, $"今日の為替レートは？ ({Guid.NewGuid():N})"),
        ];
        var options = WithMetadata(ttl: "static");
        using (var writer = new PromptCacheChatClient(new RecordingChatClient("150"), Adaptive(0.5, 4), store))
        {
            var stored = await writer.GetResponseAsync(messages, options);
            Assert.Equal((TimeSpan.FromMinutes(5), "time_sensitive:今日"), stored.GetCacheTtlDecision());
        }

        var key = RedisKey(prefix, messages, options);
        Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
        using (var reader = new PromptCacheChatClient(new RecordingChatClient("must not be called"), Adaptive(0.5, 4), store))
        {
            Assert.Equal(CacheLayer.Distributed, (await reader.GetResponseAsync(Copy(messages), options)).GetCacheLayer());
        }

        Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5));
    }
}
