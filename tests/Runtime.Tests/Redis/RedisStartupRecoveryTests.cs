using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Caching;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Redis;

/// <summary>
/// The app starts while Redis is down, then Redis comes up: the connection made at start-up must connect by itself
/// and L2 must start working without a restart of the app. This class has a server of its own.
/// </summary>
[Trait("Needs", "redis")]
public sealed class RedisStartupRecoveryTests(RedisServer server) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task App_started_while_redis_is_down_uses_l2_once_redis_is_up()
    {
        var prefix = UniquePrefix("startup");
        var provider = new RecordingChatClient("provider answer");
        server.Kill();
        ServiceProvider app;
        IChatClient client;
        PromptCacheChatClient cache;
        try
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.AddFakeLogging());
            services.AddPromptOps(o =>
            {
                o.Redis.Configuration = server.Configuration;
                // Also the connect timeout, so the first connect (Redis is down) may block up to 10 s; but a command stalled
                // past the 1 s default after recovery would be a second outage with a second warning.
                o.Redis.OperationTimeout = OperationTimeout;
                o.Redis.KeyPrefix = prefix;
                o.Cache.DistributedRetryInterval = RetryInterval;
            });
            services.AddPromptOpsRedis();
            services.AddChatClient(provider).UsePromptOps();
            app = services.BuildServiceProvider();
            client = app.GetRequiredService<IChatClient>();
            cache = client.GetService<PromptCacheChatClient>() ?? throw new InvalidOperationException("UsePromptOps added no PromptCacheChatClient.");

            var messages = UniqueMessages("while down");
            Assert.Equal(CacheLayer.None, (await client.GetResponseAsync(messages)).GetCacheLayer());
            Assert.Equal(CacheLayer.Memory, (await client.GetResponseAsync(Copy(messages))).GetCacheLayer());
            Assert.Equal(1, provider.Calls);
            Assert.True(cache.IsDistributedDown);
        }
        finally
        {
            server.Start();
        }

        using (app)
        {
            using var admin = Connect(server);
            var recovered = await EventuallyAsync(async () =>
            {
                var messages = UniqueMessages("after start");
                Assert.Equal("provider answer", (await client.GetResponseAsync(messages)).Text);
                return await KeyExistsAsync(admin, RedisKey(prefix, messages, null));
            }, pause: RetryInterval);
            Assert.True(recovered, $"The connection made while Redis was down did not start writing to Redis within {Deadline}.");
            Assert.False(cache.IsDistributedDown);

            var records = app.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == typeof(PromptCacheChatClient).FullName).ToList();
            Assert.Single(records, r => r.Level == LogLevel.Warning);
            Assert.Single(records, r => r.Level == LogLevel.Information && r.Message.Contains("available again", StringComparison.Ordinal));
            Assert.True(app.GetRequiredService<IConnectionMultiplexer>().IsConnected);
        }
    }
}
