using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Embeddings;
using PromptOps.Semantic.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Semantic.Tests.Layer;

/// <summary>The semantic layer inside <see cref="PromptCacheChatClient"/>, with the real MiniLM model.</summary>
public sealed class SemanticLayerTests
{
    private const string System = "You are the support assistant of an online shop.";

    [Fact]
    public async Task It_is_off_by_default()
    {
        using var provider = new EchoChatClient();
        using var cache = new PromptCacheChatClient(provider, embeddingGenerator: MiniLm.Generator);
        await cache.GetResponseAsync(Messages("How do I reset my password?"));
        var second = await cache.GetResponseAsync(Messages("How can I reset my password?"));

        Assert.Equal(CacheLayer.None, second.GetCacheLayer());
        Assert.Equal(2, provider.Calls);
        Assert.Equal(0, cache.SemanticCount);
    }

    [Fact]
    public async Task A_paraphrase_is_answered_after_the_exact_layers_miss()
    {
        using var provider = new EchoChatClient();
        using var cache = Cache(provider);
        var first = await cache.GetResponseAsync(Messages("How do I reset my password?"));
        var exact = await cache.GetResponseAsync(Messages("How do I reset my password?"));
        var similar = await cache.GetResponseAsync(Messages("I forgot my password, how do I reset it?"));

        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal(CacheLayer.Memory, exact.GetCacheLayer()); // the exact layer answers first
        Assert.Equal(CacheLayer.Semantic, similar.GetCacheLayer());
        Assert.Equal("answer to: How do I reset my password?", similar.Text);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Only_the_user_text_is_compared_everything_else_partitions()
    {
        using var provider = new EchoChatClient();
        using var cache = Cache(provider);
        await cache.GetResponseAsync(Messages("How do I reset my password?"), new ChatOptions { ModelId = "gpt-4o-mini" });

        ChatOptions[] others =
        [
            new() { ModelId = "gpt-4o" },
            new() { ModelId = "gpt-4o-mini", Temperature = 0.9f },
            new() { ModelId = "gpt-4o-mini", ResponseFormat = ChatResponseFormat.Json },
            new() { ModelId = "gpt-4o-mini", Tools = [AIFunctionFactory.Create(() => "x", "lookup")] },
            new ChatOptions { ModelId = "gpt-4o-mini" }.WithPromptOps(new PromptOpsMetadata { CacheScope = "tenant-b" }),
            new ChatOptions { ModelId = "gpt-4o-mini" }.WithPromptOps(new PromptOpsMetadata { PromptVersion = "v2" }),
        ];
        foreach (var options in others)
        {
            var r = await cache.GetResponseAsync(Messages("How can I reset my password?"), options);
            Assert.Equal(CacheLayer.None, r.GetCacheLayer());
        }

        var otherSystem = await cache.GetResponseAsync(
            [new(ChatRole.System, "You are a pirate."), new(ChatRole.User, "How can I reset my password?")], new ChatOptions { ModelId = "gpt-4o-mini" });
        Assert.Equal(CacheLayer.None, otherSystem.GetCacheLayer());

        var same = await cache.GetResponseAsync(Messages("How can I reset my password?"), new ChatOptions { ModelId = "gpt-4o-mini" });
        Assert.Equal(CacheLayer.Semantic, same.GetCacheLayer());
    }

    [Fact]
    public async Task Guards_refuse_opposites_numbers_and_swaps_and_say_why()
    {
        using var metrics = new PromptOpsMetrics(null);
        using var collector = new MetricCollector<long>(metrics.SemanticRejections);
        using var provider = new EchoChatClient();
        using var cache = Cache(provider, metrics: metrics);
        await cache.GetResponseAsync(Messages("How do I enable two-factor authentication?"));
        await cache.GetResponseAsync(Messages("Book a table for 2 people at 7 pm."));
        await cache.GetResponseAsync(Messages("Flights from Paris to Berlin"));

        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Messages("How do I disable two-factor authentication?"))).GetCacheLayer());
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Messages("Book a table for 4 people at 7 pm."))).GetCacheLayer());
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Messages("Flights from Berlin to Paris"))).GetCacheLayer());

        var reasons = collector.GetMeasurementSnapshot().Select(m => (string)m.Tags["promptops.cache.semantic.reason"]!).ToHashSet();
        Assert.Contains("opposite", reasons);
        Assert.Contains("numbers", reasons);
        Assert.Contains("direction", reasons);
    }

    [Fact]
    public async Task Japanese_text_bypasses_the_layer()
    {
        using var metrics = new PromptOpsMetrics(null);
        using var collector = new MetricCollector<long>(metrics.SemanticBypasses);
        using var provider = new EchoChatClient();
        using var cache = Cache(provider, metrics: metrics);
        await cache.GetResponseAsync(Messages("パスワードをリセットするにはどうすればいいですか？"));
        var other = await cache.GetResponseAsync(Messages("配送料はいくらですか？"));

        Assert.Equal(CacheLayer.None, other.GetCacheLayer());
        Assert.Equal(0, cache.SemanticCount);
        Assert.All(collector.GetMeasurementSnapshot(), m => Assert.Equal("unrepresentable", m.Tags["promptops.cache.semantic.reason"]));
        Assert.Equal(2, collector.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task A_prompt_can_raise_its_threshold_or_turn_the_layer_off()
    {
        using var provider = new EchoChatClient();
        using var cache = Cache(provider);
        await cache.GetResponseAsync(Messages("How do I reset my password?"));

        var strict = new ChatOptions().WithPromptOps(new PromptOpsMetadata { SemanticThreshold = 0.999 });
        var off = new ChatOptions().WithPromptOps(new PromptOpsMetadata { SemanticCache = false });
        var loose = new ChatOptions().WithPromptOps(new PromptOpsMetadata { SemanticThreshold = 0.5 });
        // The metadata is not part of the partition (it does not change the answer), so all three share one.
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Messages("I forgot my password, how do I reset it?"), strict)).GetCacheLayer());
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Messages("How can I reset my password?"), off)).GetCacheLayer());
        Assert.Equal(CacheLayer.Semantic, (await cache.GetResponseAsync(Messages("I need to reset the password I forgot."), loose)).GetCacheLayer());
    }

    [Fact]
    public async Task Verified_hits_call_the_provider_and_publish_the_false_hit_rate()
    {
        using var metrics = new PromptOpsMetrics(null);
        using var gauge = new MetricCollector<double>(metrics.SemanticFalseHitRateGauge);
        using var provider = new EchoChatClient { Answer = _ => "Open Settings, choose Security and press Reset password." };
        using var cache = Cache(provider, verify: 1, metrics: metrics);
        await cache.GetResponseAsync(Messages("How do I reset my password?"));

        // Same answer from the provider: the hit agrees.
        var agreed = await cache.GetResponseAsync(Messages("How can I reset my password?"));
        Assert.Equal(CacheLayer.None, agreed.GetCacheLayer()); // the verified call's fresh answer is returned
        Assert.Equal(2, provider.Calls);

        // A different answer: a false hit.
        provider.Answer = _ => "Our shop ships to every country in the European Union within five days.";
        await cache.GetResponseAsync(Messages("I forgot my password, how do I reset it?"));
        Assert.Equal(3, provider.Calls);

        Assert.Equal(2, metrics.SemanticVerified);
        Assert.Equal(1, metrics.SemanticFalseHits);
        gauge.RecordObservableInstruments();
        Assert.Equal(0.5, gauge.LastMeasurement!.Value);
    }

    [Fact]
    public async Task Streaming_requests_use_the_layer_too()
    {
        using var provider = new EchoChatClient();
        using var cache = Cache(provider);
        await foreach (var _ in cache.GetStreamingResponseAsync(Messages("How do I track my order?")))
        {
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in cache.GetStreamingResponseAsync(Messages("How can I track my order?"))) updates.Add(u);

        Assert.All(updates, u => Assert.Equal(CacheLayer.Semantic, u.GetCacheLayer()));
        Assert.Equal("answer to: How do I track my order?", updates.ToChatResponse().Text);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Requests_whose_last_message_is_not_plain_user_text_bypass_the_layer()
    {
        using var provider = new EchoChatClient();
        using var cache = Cache(provider);
        await cache.GetResponseAsync(Messages("Describe this picture."));
        List<ChatMessage> withImage =
        [
            new(ChatRole.System, System),
            new(ChatRole.User, [new TextContent("Describe this image."), new DataContent(new byte[] { 1, 2, 3 }, "image/png")]),
        ];
        var r = await cache.GetResponseAsync(withImage);
        Assert.Equal(CacheLayer.None, r.GetCacheLayer());
        Assert.Equal(1, cache.SemanticCount);
    }

    [Fact]
    public void Options_are_validated_naming_the_bad_value()
    {
        var errors = new PromptCacheOptions { Semantic = { Threshold = 1.5, VerifyFraction = -0.1, MaxBytes = 0, Candidates = 0 } }.GetErrors().ToList();
        Assert.Contains(errors, e => e.Contains("PromptOps:Cache:Semantic:Threshold", StringComparison.Ordinal) && e.Contains("1.5", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VerifyFraction", StringComparison.Ordinal) && e.Contains("-0.1", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxBytes", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Candidates", StringComparison.Ordinal));

        using var provider = new EchoChatClient();
        var e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(provider, new PromptCacheOptions { Semantic = { Enabled = true } }));
        Assert.Contains("IEmbeddingGenerator", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Composition_uses_the_registered_generator_and_fails_clearly_without_one()
    {
        var services = new ServiceCollection();
        // VerifyFraction 0: the default (2%) sends a random hit to the provider to check it, which would make this
        // assertion on the cache layer fail one run in fifty.
        services.AddPromptOps(o =>
        {
            o.Cache.Semantic.Enabled = true;
            o.Cache.Semantic.VerifyFraction = 0;
        });
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(MiniLm.Generator);
        using var provider = new EchoChatClient();
        services.AddChatClient(provider).UsePromptCache();
        using var sp = services.BuildServiceProvider();
        var chat = sp.GetRequiredService<IChatClient>();
        await chat.GetResponseAsync(Messages("How do I reset my password?"));
        Assert.Equal(CacheLayer.Semantic, (await chat.GetResponseAsync(Messages("How can I reset my password?"))).GetCacheLayer());

        var without = new ServiceCollection();
        without.AddPromptOps(o => o.Cache.Semantic.Enabled = true);
        without.AddChatClient(provider).UsePromptCache();
        using var sp2 = without.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => sp2.GetRequiredService<IChatClient>());
        Assert.Contains("PromptOps:Cache:Semantic:Enabled", e.Message, StringComparison.Ordinal);

        var withMiniLm = new ServiceCollection().AddMiniLmEmbeddingGenerator();
        using var sp3 = withMiniLm.BuildServiceProvider();
        Assert.IsType<MiniLmEmbeddingGenerator>(sp3.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    private static PromptCacheChatClient Cache(IChatClient provider, double verify = 0, PromptOpsMetrics? metrics = null) =>
        new(provider, new PromptCacheOptions { Semantic = { Enabled = true, VerifyFraction = verify } }, metrics: metrics, embeddingGenerator: MiniLm.Generator);

    private static List<ChatMessage> Messages(string user) => [new(ChatRole.System, System), new(ChatRole.User, user)];
}
