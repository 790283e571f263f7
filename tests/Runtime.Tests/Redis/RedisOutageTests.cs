using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Tests.Infrastructure;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Redis;

/// <summary>Redis dies under a running client and comes back on the same port. This class has a server of its own.</summary>
[Trait("Needs", "redis")]
public sealed class RedisOutageTests(RedisServer server) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Calls_keep_working_while_redis_is_down_with_one_warning_and_l2_recovers_when_it_is_back()
    {
        var prefix = UniquePrefix("outage");
        using var redis = Connect(server);
        using var admin = Connect(server);
        var logger = new FakeLogger<PromptCacheChatClient>();
        var provider = new RecordingChatClient("provider answer");
        using var client = new PromptCacheChatClient(provider, CacheOptions(), new RedisResponseCacheStore(redis, prefix), logger);

        var warm = UniqueMessages("warm");
        Assert.Equal(CacheLayer.None, (await client.GetResponseAsync(warm)).GetCacheLayer());
        Assert.True(await KeyExistsAsync(admin, RedisKey(prefix, warm, null)), "The answer was not written to Redis before the outage.");
        Assert.False(client.IsDistributedDown);
        Assert.Equal(1, provider.Calls);

        server.Kill();
        try
        {
            // A repeated request: L1 answers.
            var repeated = await client.GetResponseAsync(Copy(warm));
            Assert.Equal(CacheLayer.Memory, repeated.GetCacheLayer());
            Assert.Equal("provider answer", repeated.Text);
            Assert.Equal(1, provider.Calls);

            // New requests: the provider answers; they are spaced beyond the retry interval so that L2 is probed
            // (and fails) several times during the outage. Each is then repeated and served from L1.
            const int newRequests = 5;
            for (var i = 0; i < newRequests; i++)
            {
                var messages = UniqueMessages($"during outage {i}");
                var fresh = await client.GetResponseAsync(messages);
                Assert.Equal(CacheLayer.None, fresh.GetCacheLayer());
                Assert.Equal("provider answer", fresh.Text);
                Assert.True(client.IsDistributedDown, "The client did not notice that Redis is down.");

                var again = await client.GetResponseAsync(Copy(messages));
                Assert.Equal(CacheLayer.Memory, again.GetCacheLayer());
                await Task.Delay(RetryInterval * 1.5);
            }

            Assert.Equal(1 + newRequests, provider.Calls);
            Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
            Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information);
        }
        finally
        {
            server.Start();
        }

        // Bounded wait for the connection to come back: keep sending new requests until one is written to Redis.
        var recovered = await EventuallyAsync(async () =>
        {
            var messages = UniqueMessages("after restart");
            var response = await client.GetResponseAsync(messages);
            Assert.Equal("provider answer", response.Text);
            return await KeyExistsAsync(admin, RedisKey(prefix, messages, null));
        }, pause: RetryInterval);
        Assert.True(recovered, $"No answer was written to Redis within {Deadline} of the restart.");

        Assert.False(client.IsDistributedDown);
        var records = logger.Collector.GetSnapshot();
        Assert.Single(records, r => r.Level == LogLevel.Warning);
        var info = Assert.Single(records, r => r.Level == LogLevel.Information);
        Assert.Contains("available again", info.Message, StringComparison.Ordinal);

        // And L2 serves other processes again.
        var shared = UniqueMessages("shared after restart");
        await client.GetResponseAsync(shared);
        var otherProvider = new RecordingChatClient("must not be called");
        using var other = new PromptCacheChatClient(otherProvider, CacheOptions(), new RedisResponseCacheStore(admin, prefix));
        Assert.Equal(CacheLayer.Distributed, (await other.GetResponseAsync(Copy(shared))).GetCacheLayer());
        Assert.Equal(0, otherProvider.Calls);
    }
}
