using System.Diagnostics;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Caching.Redis;
using PromptOps.Semantic.Tests.Infrastructure;
using StackExchange.Redis;

namespace PromptOps.Semantic.Tests.SharedStore;

/// <summary>The shared semantic index on a real Garnet server (vector sets) with the real MiniLM model.</summary>
[Trait("Needs", "garnet")]
public sealed class GarnetVectorSetTests(GarnetServer garnet) : IClassFixture<GarnetServer>
{
    private const string System = "You answer questions about our product.";

    /// <summary>How long <see cref="Connect"/> waits for the connection to come up before it fails.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Store_round_trip_converts_garnet_squared_l2_scores_to_cosine()
    {
        using var redis = Connect();
        var store = new RedisVectorSetSemanticStore(redis, Prefix());
        var a = MiniLm.Generator.Embed("How do I reset my password?");
        var b = MiniLm.Generator.Embed("How can I reset my password?");
        var c = MiniLm.Generator.Embed("What is the capital of France?");
        var expires = DateTimeOffset.UtcNow.AddMinutes(5);
        await store.AddAsync("promptops:v1:part:test", "k-a", a, "How do I reset my password?", expires, default);
        await store.AddAsync("promptops:v1:part:test", "k-c", c, "What is the capital of France?", expires, default);

        var matches = await store.SearchAsync("promptops:v1:part:test", b, 2, default);

        Assert.Equal(VectorSetScore.SquaredL2Distance, store.Score); // probed: Garnet scores are squared L2 distances
        Assert.Equal(["k-a", "k-c"], matches.Select(m => m.ExactKey));
        Assert.Equal(TensorPrimitives.Dot(a, b), matches[0].Similarity, 3);
        Assert.Equal(TensorPrimitives.Dot(c, b), matches[1].Similarity, 3);
        Assert.Equal("How do I reset my password?", matches[0].Text);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), matches[0].ExpiresAt.ToUnixTimeMilliseconds());

        await store.RemoveAsync("promptops:v1:part:test", "k-a", a.Length, default);
        var after = await store.SearchAsync("promptops:v1:part:test", b, 2, default);
        Assert.Equal(["k-c"], after.Select(m => m.ExactKey));
        Assert.Empty(await store.SearchAsync("promptops:v1:part:other", b, 2, default));
    }

    [Fact]
    public async Task A_second_instance_answers_a_paraphrase_from_the_shared_store()
    {
        using var redis = Connect();
        var prefix = Prefix();
        using var providerA = new EchoChatClient();
        using var providerB = new EchoChatClient();
        using var instanceA = Instance(providerA, redis, prefix);
        using var instanceB = Instance(providerB, redis, prefix);

        var first = await instanceA.GetResponseAsync(Messages("How do I reset my password?"), Options());
        var second = await instanceB.GetResponseAsync(Messages("How can I reset my password?"), Options());

        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal(CacheLayer.Semantic, second.GetCacheLayer());
        Assert.Equal("answer to: How do I reset my password?", second.Text);
        Assert.Equal(0, providerB.Calls);
        Assert.Equal(0, instanceB.SemanticCount); // found in the shared store, not in B's memory
    }

    [Fact]
    public async Task The_shared_store_never_answers_across_scopes_or_guards()
    {
        using var redis = Connect();
        var prefix = Prefix();
        using var providerA = new EchoChatClient();
        using var providerB = new EchoChatClient();
        using var instanceA = Instance(providerA, redis, prefix);
        using var instanceB = Instance(providerB, redis, prefix);

        await instanceA.GetResponseAsync(Messages("How do I enable two-factor authentication?"), Options("alice"));
        var otherScope = await instanceB.GetResponseAsync(Messages("How can I enable two-factor authentication?"), Options("bob"));
        var opposite = await instanceB.GetResponseAsync(Messages("How do I disable two-factor authentication?"), Options("alice"));
        var sameScope = await instanceB.GetResponseAsync(Messages("How can I turn on two-factor authentication?"), Options("alice"));

        Assert.Equal(CacheLayer.None, otherScope.GetCacheLayer());
        Assert.Equal(CacheLayer.None, opposite.GetCacheLayer());
        Assert.Equal(CacheLayer.Semantic, sameScope.GetCacheLayer());
        Assert.Equal(2, providerB.Calls);
    }

    [Fact]
    public async Task An_entry_whose_answer_left_L2_is_a_miss_and_is_removed()
    {
        using var redis = Connect();
        var prefix = Prefix();
        using var providerA = new EchoChatClient();
        using var providerB = new EchoChatClient();
        using var instanceA = Instance(providerA, redis, prefix);
        using var instanceB = Instance(providerB, redis, prefix);
        var stored = Messages("How do I export my data?");
        await instanceA.GetResponseAsync(stored, Options());
        var exactKey = PromptCacheKey.Compute(stored, Options())!;
        var partition = PromptCacheKey.ComputePartition(stored, Options(), out _)!;
        var setKey = $"{prefix}{partition}:d384";
        Assert.Equal(1L, (long)await redis.GetDatabase().ExecuteAsync("VCARD", setKey));

        Assert.True(await redis.GetDatabase().KeyDeleteAsync(prefix + exactKey)); // the answer expires from L2
        var response = await instanceB.GetResponseAsync(Messages("How can I export all my data?"), Options());

        Assert.Equal(CacheLayer.None, response.GetCacheLayer());
        Assert.Equal(1, providerB.Calls);
        // The stale element is gone; B's own answer was added.
        var probe = global::System.Runtime.InteropServices.MemoryMarshal.AsBytes(MiniLm.Generator.Embed("export data").AsSpan()).ToArray();
        var elements = (RedisResult[])(await redis.GetDatabase().ExecuteAsync("VSIM", setKey, "FP32", probe, "COUNT", "10"))!;
        Assert.DoesNotContain(exactKey, elements.Select(e => (string?)e));
        Assert.Single(elements);
    }

    [Fact]
    public async Task Expired_elements_are_not_hits()
    {
        using var redis = Connect();
        var store = new RedisVectorSetSemanticStore(redis, Prefix());
        var v = MiniLm.Generator.Embed("How do I track my order?");
        await store.AddAsync("promptops:v1:part:ttl", "k", v, "How do I track my order?", DateTimeOffset.UtcNow.AddMinutes(-1), default);

        var matches = await store.SearchAsync("promptops:v1:part:ttl", v, 1, default);
        Assert.Single(matches);
        Assert.True(matches[0].ExpiresAt < DateTimeOffset.UtcNow); // the store reports it; the cache skips it:

        using var provider = new EchoChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { Semantic = { Enabled = true, VerifyFraction = 0 } },
            new RedisResponseCacheStore(redis, "x:"), embeddingGenerator: MiniLm.Generator, semanticStore: store);
        var request = cache.Semantic!.Describe(Messages("How do I track my order?"), Options())!;
        Assert.Null(cache.Semantic.Pick(request, matches, DateTimeOffset.UtcNow));
        Assert.NotNull(cache.Semantic.Pick(request, [matches[0] with { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(1) }], DateTimeOffset.UtcNow));
    }

    private ConnectionMultiplexer Connect()
    {
        Assert.StartsWith("127.0.0.1:", garnet.Configuration, StringComparison.Ordinal);
        var redis = ConnectionMultiplexer.Connect(new RedisOptions { Configuration = garnet.Configuration, OperationTimeout = TimeSpan.FromSeconds(5) }.ToConfigurationOptions());

        // With AbortOnConnectFail=false, Connect may return before the handshake ends on a loaded machine, and a
        // fail-fast client then skips the shared store: wait until the connection is up.
        var sw = Stopwatch.StartNew();
        while (!redis.IsConnected && sw.Elapsed < Deadline) Thread.Sleep(20);
        if (!redis.IsConnected)
        {
            redis.Dispose();
            throw new InvalidOperationException($"Could not connect to the test garnet-server at {garnet.Configuration} within {Deadline}.");
        }

        return redis;
    }

    private static string Prefix() => $"t-{Guid.NewGuid():N}:";

    private static PromptCacheChatClient Instance(IChatClient provider, IConnectionMultiplexer redis, string prefix) =>
        new(provider, new PromptCacheOptions { Semantic = { Enabled = true, VerifyFraction = 0 } }, new RedisResponseCacheStore(redis, prefix),
            embeddingGenerator: MiniLm.Generator, semanticStore: new RedisVectorSetSemanticStore(redis, prefix));

    private static List<ChatMessage> Messages(string user) => [new(ChatRole.System, System), new(ChatRole.User, user)];

    private static ChatOptions Options(string? scope = null) => new ChatOptions { ModelId = "gpt-4o-mini" }.WithPromptOps(new PromptOpsMetadata { CacheScope = scope });
}
