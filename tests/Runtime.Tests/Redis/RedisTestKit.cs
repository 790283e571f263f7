using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Knowledge;
using PromptOps.Tests.Infrastructure;
using StackExchange.Redis;

namespace PromptOps.Tests.Redis;

/// <summary>Helpers shared by the Redis tests: connections to the test server, unique requests, bounded polling.</summary>
internal static class RedisTestKit
{
    /// <summary>How long a test waits for something asynchronous (a reconnect) before it fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The operation timeout of every test connection to a running server, instead of PromptOps' 1 s default: on a
    /// loaded machine a command can stall for a second, time out and look like an outage. Outages the tests make
    /// (a killed server, nothing listening) do not wait for it: with fail-fast commands they surface at once as
    /// connection errors.
    /// </summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A small retry interval so that recovery is noticed quickly.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Connects the way PromptOps does (fail fast, reconnect in the background), to the loopback test server only, and
    /// waits (up to <see cref="Deadline"/>) until the connection is up: with AbortOnConnectFail=false, Connect may return
    /// before the handshake ends on a loaded machine, and a fail-fast client then skips L2 — the test would not test what
    /// it means to.
    /// </summary>
    public static ConnectionMultiplexer Connect(RedisServer server)
    {
        Assert.StartsWith("127.0.0.1:", server.Configuration, StringComparison.Ordinal);
        var redis = ConnectionMultiplexer.Connect(new RedisOptions { Configuration = server.Configuration, OperationTimeout = OperationTimeout }.ToConfigurationOptions());
        try
        {
            WaitUntilConnected(redis);
        }
        catch
        {
            redis.Dispose();
            throw;
        }

        return redis;
    }

    /// <summary>
    /// Waits (up to <see cref="Deadline"/>) until <paramref name="redis"/> is connected; throws naming the server if it
    /// is not. For connections PromptOps makes itself (<c>AddPromptOps</c>): they return before the handshake ends on a
    /// loaded machine (AbortOnConnectFail=false), and a fail-fast client would skip Redis until it has.
    /// </summary>
    public static void WaitUntilConnected(IConnectionMultiplexer redis)
    {
        var sw = Stopwatch.StartNew();
        while (!redis.IsConnected && sw.Elapsed < Deadline) Thread.Sleep(20);
        if (!redis.IsConnected) throw new InvalidOperationException($"Could not connect to the test redis-server at {redis.Configuration} within {Deadline}.");
    }

    /// <summary>A key prefix of its own for each test, so tests sharing a server never see each other's entries.</summary>
    public static string UniquePrefix(string test) => $"t-{test}-{Guid.NewGuid():N}:";

    /// <summary>A request no other test makes.</summary>
    public static List<ChatMessage> UniqueMessages(string what = "question") =>
    [
        new(ChatRole.System, "You are terse."),
        new(ChatRole.User, $"{what} {Guid.NewGuid():N}"),
    ];

    /// <summary>A fresh copy of <paramref name="messages"/> (new objects, same content): what a second process would send.</summary>
    public static List<ChatMessage> Copy(IEnumerable<ChatMessage> messages) => [.. messages.Select(m => new ChatMessage(m.Role, m.Text))];

    public static ChatOptions WithMetadata(string? ttl = null, string? scope = null) =>
        new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = ttl is null ? null : CacheTtl.Parse(ttl), CacheScope = scope });

    public static PromptCacheOptions CacheOptions(string defaultTtl = "01:00:00") =>
        new() { DefaultTtl = defaultTtl, DistributedRetryInterval = RetryInterval };

    /// <summary>The Redis key the store writes a request's entry under.</summary>
    public static string RedisKey(string prefix, IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        prefix + (PromptCacheKey.Compute(messages, options) ?? throw new InvalidOperationException("The test request is not cacheable."));

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Deadline"/> passes; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? pause = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Deadline)
        {
            if (await condition()) return true;
            await Task.Delay(pause ?? TimeSpan.FromMilliseconds(100));
        }

        return await condition();
    }

    /// <summary>True when <paramref name="key"/> exists; false while the connection is still down.</summary>
    public static async Task<bool> KeyExistsAsync(IConnectionMultiplexer redis, string key)
    {
        try
        {
            return await redis.GetDatabase().KeyExistsAsync(key);
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on (bound and released at once).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
