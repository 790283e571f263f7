using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Caching;

/// <summary>What L2 entries may do to L1: how long they live there, and which ones are refused.</summary>
public class CacheEntryLifetimeTests
{
    private static List<ChatMessage> Ask(string text = "What are your opening hours?") => [new(ChatRole.User, text)];

    private static ChatOptions Ttl(string ttl) => new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.Parse(ttl) });

    private static ChatResponse Answer(string text, long input = 100, long output = 10) =>
        new(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };

    [Theory]
    [InlineData(null, 10)] // the cache's default TTL (10 minutes here)
    [InlineData("00:01:00", 1)] // the request's own TTL
    public async Task An_L2_entry_with_a_far_expiry_lives_in_L1_no_longer_than_the_requests_ttl(string? ttl, int minutes)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var store = new InMemoryResponseCacheStore();
        var options = ttl is null ? null : Ttl(ttl);
        var key = PromptCacheKey.Compute(Ask(), options)!;
        // Another writer stored the entry with a 100-year expiry.
        store.Entries[key] = (CacheEntrySerializer.Serialize(key, Answer("from L2"), time.GetUtcNow().AddYears(100)), TimeSpan.FromDays(36_500));

        var provider = new RecordingChatClient("fresh");
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { DefaultTtl = "00:10:00", TimeProvider = time }, store);

        Assert.Equal(CacheLayer.Distributed, (await cache.GetResponseAsync(Ask(), options)).GetCacheLayer());
        time.Advance(TimeSpan.FromMinutes(minutes) - TimeSpan.FromSeconds(1));
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(Ask(), options)).GetCacheLayer());

        // Past the request's TTL the L1 copy is gone: the next read goes back to L2 (which still has it).
        time.Advance(TimeSpan.FromSeconds(2));
        var reads = store.Reads;
        var after = await cache.GetResponseAsync(Ask(), options);
        Assert.Equal(CacheLayer.Distributed, after.GetCacheLayer());
        Assert.Equal(reads + 1, store.Reads);
        Assert.Equal(0, provider.Calls);
    }

    [Fact]
    public async Task An_L2_entry_expiring_sooner_than_the_ttl_leaves_L1_when_it_expires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var store = new InMemoryResponseCacheStore();
        var key = PromptCacheKey.Compute(Ask(), null)!;
        store.Entries[key] = (CacheEntrySerializer.Serialize(key, Answer("from L2"), time.GetUtcNow().AddSeconds(30)), TimeSpan.FromSeconds(30));
        var provider = new RecordingChatClient("fresh");
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { DefaultTtl = "00:10:00", TimeProvider = time }, store);

        Assert.Equal(CacheLayer.Distributed, (await cache.GetResponseAsync(Ask())).GetCacheLayer());
        time.Advance(TimeSpan.FromSeconds(31));
        var response = await cache.GetResponseAsync(Ask()); // L1 expired with the entry; L2's copy is expired too
        Assert.Equal(CacheLayer.None, response.GetCacheLayer());
        Assert.Equal(1, provider.Calls);
    }

    [Theory]
    [InlineData("input")]
    [InlineData("output")]
    [InlineData("usage-content")]
    public async Task An_L2_entry_with_negative_token_counts_is_a_miss_and_is_overwritten(string where)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var store = new InMemoryResponseCacheStore();
        var key = PromptCacheKey.Compute(Ask(), null)!;
        var poisoned = where switch
        {
            "input" => Answer("poisoned", input: -5),
            "output" => Answer("poisoned", output: -1),
            _ => new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent("poisoned"), new UsageContent(new UsageDetails { OutputTokenCount = -7 })])),
        };
        store.Entries[key] = (CacheEntrySerializer.Serialize(key, poisoned, time.GetUtcNow().AddHours(1)), TimeSpan.FromHours(1));

        var provider = new RecordingChatClient("fresh");
        using (var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { TimeProvider = time }, store))
        {
            var response = await cache.GetResponseAsync(Ask());
            Assert.Equal(CacheLayer.None, response.GetCacheLayer());
            Assert.Equal("fresh", response.Text);
            Assert.Equal(1, provider.Calls);
        }

        // Overwritten with the fresh answer: another instance is served it from L2.
        Assert.True(CacheEntrySerializer.TryDeserialize(store.Entries[key].Value, key, time.GetUtcNow(), out var entry, out _));
        Assert.Equal("fresh", entry!.Text);
        using var other = new PromptCacheChatClient(new RecordingChatClient("must not be called"), new PromptCacheOptions { TimeProvider = time }, store);
        var hit = await other.GetResponseAsync(Ask());
        Assert.Equal(CacheLayer.Distributed, hit.GetCacheLayer());
        Assert.Equal(100, hit.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task A_provider_answer_with_negative_token_counts_is_returned_but_never_stored()
    {
        var store = new InMemoryResponseCacheStore();
        var provider = new RecordingChatClient("odd", input: -3);
        using var cache = new PromptCacheChatClient(provider, distributedStore: store);

        var first = await cache.GetResponseAsync(Ask());
        var second = await cache.GetResponseAsync(Ask());
        Assert.Equal("odd", first.Text);
        Assert.Equal(CacheLayer.None, second.GetCacheLayer());
        Assert.Equal(2, provider.Calls);
        Assert.Empty(store.Entries);
    }
}
