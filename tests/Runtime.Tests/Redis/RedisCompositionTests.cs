using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Redis;

/// <summary>The Redis L2 wired through <c>AddPromptOps</c> and <c>UsePromptOps</c>.</summary>
[Trait("Needs", "redis")]
public sealed class RedisCompositionTests(RedisServer server) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Redis_down_at_startup_does_not_stop_the_app_and_calls_are_answered()
    {
        var port = FreePort();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging());
        services.AddPromptOps(o =>
        {
            o.Redis.Configuration = $"127.0.0.1:{port}";
            o.Cache.DistributedRetryInterval = RetryInterval;
        });
        var provider = new RecordingChatClient("provider answer");
        services.AddPromptOpsRedis();
        services.AddChatClient(provider).UsePromptOps();
        using var app = services.BuildServiceProvider();

        var client = app.GetRequiredService<IChatClient>();
        Assert.IsType<RedisResponseCacheStore>(app.GetRequiredService<IResponseCacheStore>());
        Assert.False(app.GetRequiredService<IConnectionMultiplexer>().IsConnected);

        var messages = UniqueMessages();
        var first = await client.GetResponseAsync(messages);
        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal("provider answer", first.Text);
        Assert.Equal(1, provider.Calls);

        var second = await client.GetResponseAsync(Copy(messages));
        Assert.Equal(CacheLayer.Memory, second.GetCacheLayer());
        Assert.Equal(1, provider.Calls);

        var other = await client.GetResponseAsync(UniqueMessages("another"));
        Assert.Equal(CacheLayer.None, other.GetCacheLayer());
        Assert.Equal(2, provider.Calls);

        var cache = client.GetService<PromptCacheChatClient>();
        Assert.NotNull(cache);
        Assert.True(cache.IsDistributedDown);
        Assert.Single(app.GetFakeLogCollector().GetSnapshot(), r => r.Level == LogLevel.Warning && r.Category == typeof(PromptCacheChatClient).FullName);
    }

    [Fact]
    public async Task Two_apps_configured_from_iconfiguration_share_answers_through_redis()
    {
        var prefix = UniquePrefix("di");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptOps:Redis:Configuration"] = server.Configuration,
            ["PromptOps:Redis:KeyPrefix"] = prefix,
            ["PromptOps:Redis:OperationTimeout"] = "00:00:10",
            ["PromptOps:Cache:DistributedRetryInterval"] = "00:00:00.200",
        }).Build();

        ServiceProvider BuildApp(IChatClient provider)
        {
            var services = new ServiceCollection();
            services.AddPromptOps(config.GetSection("PromptOps"));
            services.AddPromptOpsRedis();
            services.AddChatClient(provider).UsePromptOps();
            return services.BuildServiceProvider();
        }

        var provider1 = new RecordingChatClient("answer from app 1");
        var provider2 = new RecordingChatClient("answer from app 2");
        using var app1 = BuildApp(provider1);
        using var app2 = BuildApp(provider2);

        var redis1 = app1.GetRequiredService<IConnectionMultiplexer>();
        var redis2 = app2.GetRequiredService<IConnectionMultiplexer>();
        Assert.NotSame(redis1, redis2);
        WaitUntilConnected(redis1);
        WaitUntilConnected(redis2);
        Assert.IsType<RedisResponseCacheStore>(app1.GetRequiredService<IResponseCacheStore>());
        Assert.IsType<RedisResponseCacheStore>(app2.GetRequiredService<IResponseCacheStore>());

        var messages = UniqueMessages();
        var options = WithMetadata(ttl: "10m");
        var first = await app1.GetRequiredService<IChatClient>().GetResponseAsync(messages, options);
        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal(1, provider1.Calls);

        var second = await app2.GetRequiredService<IChatClient>().GetResponseAsync(Copy(messages), WithMetadata(ttl: "10m"));
        Assert.Equal(CacheLayer.Distributed, second.GetCacheLayer());
        Assert.Equal("answer from app 1", second.Text);
        Assert.Equal(0, provider2.Calls);

        // Written under the configured key prefix, with a TTL.
        using var admin = Connect(server);
        var ttl = await admin.GetDatabase().KeyTimeToLiveAsync(RedisKey(prefix, messages, options));
        Assert.True(ttl.HasValue, "The entry is not in Redis under the configured key prefix, or has no TTL.");
        Assert.InRange(ttl.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(10));
    }
}
