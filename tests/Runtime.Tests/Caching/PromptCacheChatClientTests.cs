using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Caching;

public class PromptCacheChatClientTests
{
    private static List<ChatMessage> Ask(string text = "What are your opening hours?") => [new(ChatRole.User, text)];

    [Fact]
    public async Task Second_identical_request_is_an_L1_hit_that_does_not_call_the_provider()
    {
        var provider = new RecordingChatClient("9 to 5");
        using var cache = new PromptCacheChatClient(provider);

        var first = await cache.GetResponseAsync(Ask());
        var second = await cache.GetResponseAsync(Ask());

        Assert.Equal(1, provider.Calls);
        Assert.Equal(CacheLayer.None, first.GetCacheLayer());
        Assert.Equal(CacheLayer.Memory, second.GetCacheLayer());
        Assert.Equal("9 to 5", second.Text);
        Assert.Equal(100, second.Usage!.InputTokenCount);
        Assert.Equal("gpt-4o-mini", second.ModelId);
    }

    [Fact]
    public async Task Hits_are_copies_so_callers_cannot_poison_the_cache()
    {
        var provider = new RecordingChatClient("original");
        using var cache = new PromptCacheChatClient(provider);

        var first = await cache.GetResponseAsync(Ask());
        ((TextContent)first.Messages[0].Contents[0]).Text = "mutated by the first caller";
        var hit = await cache.GetResponseAsync(Ask());
        ((TextContent)hit.Messages[0].Contents[0]).Text = "mutated by a hit";
        hit.Messages.Add(new ChatMessage(ChatRole.Assistant, "extra"));
        hit.Usage!.InputTokenCount = 1;

        var again = await cache.GetResponseAsync(Ask());
        Assert.Equal("original", again.Text);
        Assert.Single(again.Messages);
        Assert.Equal(100, again.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task Requests_differing_only_in_tools_are_cached_separately()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider);
        var a = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        var b = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 2, "two")] };

        await cache.GetResponseAsync(Ask(), a);
        await cache.GetResponseAsync(Ask(), b);
        await cache.GetResponseAsync(Ask(), a);
        await cache.GetResponseAsync(Ask(), b);

        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task Sixty_four_concurrent_identical_misses_call_the_provider_once()
    {
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient();
        var inner = provider.Respond;
        provider.Respond = async (m, o, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return await inner(m, o, ct);
        };
        using var cache = new PromptCacheChatClient(provider);

        var calls = Enumerable.Range(0, 64).Select(_ => Task.Run(() => cache.GetResponseAsync(Ask()))).ToList();
        while (provider.Calls == 0) await Task.Delay(5);
        await Task.Delay(50); // let the others arrive and join
        gate.SetResult();
        var responses = await Task.WhenAll(calls);

        Assert.Equal(1, provider.Calls);
        Assert.All(responses, r => Assert.Equal("answer", r.Text));
        Assert.Single(responses, r => r.GetCacheLayer() == CacheLayer.None);
        Assert.Equal(64, responses.Distinct().Count()); // every caller has its own object
    }

    [Fact]
    public async Task A_failed_call_fails_its_joined_callers_and_is_not_cached()
    {
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient();
        var inner = provider.Respond;
        var fail = true;
        provider.Respond = async (m, o, ct) =>
        {
            await gate.Task;
            if (fail) throw new HttpRequestException("provider down");
            return await inner(m, o, ct);
        };
        using var cache = new PromptCacheChatClient(provider);

        // Started on this thread: each call runs synchronously up to its first await (no L2, no semantic layer), so the
        // first is inside the provider and the other seven have joined it before the gate opens — none can come late
        // and make a second call.
        var calls = Enumerable.Range(0, 8).Select(_ => cache.GetResponseAsync(Ask())).ToList();
        Assert.Equal(1, provider.Calls);
        Assert.All(calls, c => Assert.False(c.IsCompleted));
        gate.SetResult();
        foreach (var call in calls) await Assert.ThrowsAsync<HttpRequestException>(() => call);
        Assert.Equal(1, provider.Calls);

        fail = false;
        var ok = await cache.GetResponseAsync(Ask());
        Assert.Equal("answer", ok.Text);
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task When_the_calling_caller_cancels_a_joined_caller_makes_its_own_call()
    {
        var provider = new RecordingChatClient();
        var inner = provider.Respond;
        provider.Respond = async (m, o, ct) =>
        {
            if (provider.Calls == 1) await Task.Delay(Timeout.Infinite, ct); // the first call hangs until cancelled
            return await inner(m, o, ct);
        };
        using var cache = new PromptCacheChatClient(provider);
        using var cts = new CancellationTokenSource();

        var leader = cache.GetResponseAsync(Ask(), cancellationToken: cts.Token);
        while (provider.Calls == 0) await Task.Delay(5);
        var follower = cache.GetResponseAsync(Ask());
        await Task.Delay(50);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader);
        var response = await follower;
        Assert.Equal("answer", response.Text);
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task Entries_expire_after_their_ttl_from_metadata_or_the_default()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { DefaultTtl = "1h", TimeProvider = time });
        var realtime = new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.Realtime });

        await cache.GetResponseAsync(Ask("a"), realtime);
        await cache.GetResponseAsync(Ask("b"));
        time.Advance(TimeSpan.FromMinutes(4));
        await cache.GetResponseAsync(Ask("a"), realtime);
        await cache.GetResponseAsync(Ask("b"));
        Assert.Equal(2, provider.Calls);

        time.Advance(TimeSpan.FromMinutes(2)); // 6 min: realtime (5 min) expired, default (1 h) not
        await cache.GetResponseAsync(Ask("a"), realtime);
        await cache.GetResponseAsync(Ask("b"));
        Assert.Equal(3, provider.Calls);

        time.Advance(TimeSpan.FromHours(1));
        await cache.GetResponseAsync(Ask("b"));
        Assert.Equal(4, provider.Calls);
    }

    [Fact]
    public async Task Ttl_none_and_conversation_ids_bypass_the_cache()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider);
        var none = new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.None });
        var conversation = new ChatOptions { ConversationId = "conv-1" };

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Ask(), none)).GetCacheLayer());
            Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Ask(), conversation)).GetCacheLayer());
        }

        Assert.Equal(4, provider.Calls);
        Assert.Equal(0, cache.MemoryCount);
    }

    [Fact]
    public async Task Default_ttl_none_disables_caching_unless_the_request_sets_one()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { DefaultTtl = "none" });
        var daily = new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.Daily });

        await cache.GetResponseAsync(Ask());
        await cache.GetResponseAsync(Ask());
        await cache.GetResponseAsync(Ask(), daily);
        await cache.GetResponseAsync(Ask(), daily);
        Assert.Equal(3, provider.Calls);
    }

    [Fact]
    public async Task Entries_stored_under_one_scope_are_never_returned_for_another()
    {
        var provider = new RecordingChatClient();
        provider.Respond = (m, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "for " + (o.GetPromptOps()?.CacheScope ?? "everyone"))));
        using var cache = new PromptCacheChatClient(provider);
        ChatOptions Scope(string? s) => new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheScope = s });

        Assert.Equal("for alice", (await cache.GetResponseAsync(Ask(), Scope("alice"))).Text);
        Assert.Equal("for bob", (await cache.GetResponseAsync(Ask(), Scope("bob"))).Text);
        Assert.Equal("for everyone", (await cache.GetResponseAsync(Ask(), Scope(null))).Text);
        Assert.Equal("for alice", (await cache.GetResponseAsync(Ask(), Scope("alice"))).Text);
        Assert.Equal("for bob", (await cache.GetResponseAsync(Ask(), Scope("bob"))).Text);
        Assert.Equal(3, provider.Calls);
    }

    [Fact]
    public async Task Stateful_and_filtered_responses_are_returned_but_not_stored()
    {
        var provider = new RecordingChatClient();
        var n = 0;
        provider.Respond = (_, _, _) => Task.FromResult(++n == 1
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "stateful")) { ConversationId = "resp_1" }
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, "filtered")) { FinishReason = ChatFinishReason.ContentFilter });
        using var cache = new PromptCacheChatClient(provider);

        Assert.Equal("stateful", (await cache.GetResponseAsync(Ask())).Text);
        Assert.Equal("filtered", (await cache.GetResponseAsync(Ask())).Text);
        Assert.Equal("filtered", (await cache.GetResponseAsync(Ask())).Text);
        Assert.Equal(3, provider.Calls);
    }

    private static ChatResponse CutOff(string text) =>
        new(new ChatMessage(ChatRole.Assistant, text)) { FinishReason = ChatFinishReason.Length, ModelId = "gpt-4o-mini" };

    [Fact]
    public async Task A_reply_cut_off_at_the_output_limit_is_returned_but_never_stored()
    {
        var provider = new RecordingChatClient();
        var n = 0;
        provider.Respond = (_, _, _) => Task.FromResult(++n <= 2 ? CutOff("We open at 9 and cl") : new ChatResponse(new ChatMessage(ChatRole.Assistant, "We open at 9 and close at 5.")));
        using var cache = new PromptCacheChatClient(provider);

        var first = await cache.GetResponseAsync(Ask());
        var second = await cache.GetResponseAsync(Ask());
        Assert.Equal((ChatFinishReason.Length, CacheLayer.None), (first.FinishReason, first.GetCacheLayer()));
        Assert.Equal((ChatFinishReason.Length, CacheLayer.None), (second.FinishReason, second.GetCacheLayer()));

        // The next whole answer is stored and served.
        Assert.Equal("We open at 9 and close at 5.", (await cache.GetResponseAsync(Ask())).Text);
        var hit = await cache.GetResponseAsync(Ask());
        Assert.Equal(("We open at 9 and close at 5.", CacheLayer.Memory), (hit.Text, hit.GetCacheLayer()));
        Assert.Equal(3, provider.Calls);
        Assert.Equal(1, cache.MemoryCount);
    }

    [Fact]
    public async Task A_reply_that_fails_the_requests_validator_is_returned_but_never_stored()
    {
        // A generated enum method's validator: only "billing" or "outage" read as a label.
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata
        {
            PromptId = "Desk.Classify",
            ReplyValidator = r => r.Text is "billing" or "outage" ? null : $"'{r.Text}' is not a label",
        });
        var provider = new RecordingChatClient();
        var n = 0;
        provider.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, ++n <= 2 ? "It is about money." : "billing")));
        using var cache = new PromptCacheChatClient(provider);

        Assert.Equal(("It is about money.", CacheLayer.None), ((await cache.GetResponseAsync(Ask(), options)).Text, (await cache.GetResponseAsync(Ask(), options)).GetCacheLayer()));
        Assert.Equal(2, provider.Calls);
        Assert.Equal(0, cache.MemoryCount);

        // The first reply that validates is stored and served.
        Assert.Equal("billing", (await cache.GetResponseAsync(Ask(), options)).Text);
        var hit = await cache.GetResponseAsync(Ask(), options);
        Assert.Equal(("billing", CacheLayer.Memory), (hit.Text, hit.GetCacheLayer()));
        Assert.Equal(3, provider.Calls);
    }

    [Fact]
    public async Task A_stream_whose_last_update_says_length_is_not_stored()
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => Task.FromResult(CutOff("We open at 9 and cl"));
        using var cache = new PromptCacheChatClient(provider);

        var first = await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        var second = await cache.GetStreamingResponseAsync(Ask()).ToListAsync();

        Assert.Equal(ChatFinishReason.Length, first.ToChatResponse().FinishReason);
        Assert.All(second, u => Assert.Equal(CacheLayer.None, u.GetCacheLayer()));
        Assert.Equal(2, provider.Calls);
        Assert.Equal(0, cache.MemoryCount);
    }

    /// <summary>Every text is the same vector: any two requests of a partition are "similar".</summary>
    private sealed class SameVector : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 0.6f, 0.8f }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cut_off_reply_never_answers_a_similar_request(bool cutOff)
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => Task.FromResult(cutOff ? CutOff("We open at 9 and cl") : new ChatResponse(new ChatMessage(ChatRole.Assistant, "We open at 9.")));
        var options = new PromptCacheOptions();
        options.Semantic.Enabled = true;
        options.Semantic.VerifyFraction = 0;
        using var cache = new PromptCacheChatClient(provider, options, embeddingGenerator: new SameVector());

        await cache.GetResponseAsync(Ask("When do you open?"));
        var similar = await cache.GetResponseAsync(Ask("When do you open in the morning?"));

        // Control: a whole answer does answer the similar request from the semantic layer.
        Assert.Equal(cutOff ? CacheLayer.None : CacheLayer.Semantic, similar.GetCacheLayer());
        Assert.Equal(cutOff ? 2 : 1, provider.Calls);
        Assert.Equal(cutOff ? 0 : 1, cache.SemanticCount);
    }

    [Fact]
    public async Task A_cut_off_reply_in_the_shared_store_is_a_miss()
    {
        var provider = new RecordingChatClient("whole answer");
        var store = new InMemoryResponseCacheStore();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using (var writer = new PromptCacheChatClient(provider, new PromptCacheOptions { TimeProvider = time }, store))
        {
            await writer.GetResponseAsync(Ask()); // learn the key the entry is stored under
        }

        // An entry written before cut-off replies were kept out (or by hand).
        var key = Assert.Single(store.Entries.Keys);
        await store.SetAsync(key, CacheEntrySerializer.Serialize(key, CutOff("whole an"), time.GetUtcNow() + TimeSpan.FromHours(1)), TimeSpan.FromHours(1), default);
        using var reader = new PromptCacheChatClient(provider, new PromptCacheOptions { TimeProvider = time }, store);

        var response = await reader.GetResponseAsync(Ask());
        Assert.Equal(("whole answer", CacheLayer.None), (response.Text, response.GetCacheLayer()));
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task A_null_message_or_content_is_an_argument_exception_naming_the_index_cached_or_not()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider);
        List<ChatMessage> withNull = [new(ChatRole.System, "s"), new(ChatRole.User, "u"), null!];

        var e = await Assert.ThrowsAsync<ArgumentException>(() => cache.GetResponseAsync(withNull));
        Assert.Contains("messages[2] is null", e.Message, StringComparison.Ordinal);

        // A bypassed request (TTL none) is checked too, and so is a stream.
        var none = new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.None });
        e = await Assert.ThrowsAsync<ArgumentException>(() => cache.GetResponseAsync(withNull, none));
        Assert.Contains("messages[2] is null", e.Message, StringComparison.Ordinal);
        List<ChatMessage> nullContent = [new(ChatRole.User, [new TextContent("a"), null!])];
        e = await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in cache.GetStreamingResponseAsync(nullContent))
            {
            }
        });
        Assert.Contains("messages[0].Contents[1] is null", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, provider.Calls);
    }

    [Fact]
    public async Task One_shot_message_enumerables_still_reach_the_provider()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider);
        static IEnumerable<ChatMessage> OneShot()
        {
            yield return new ChatMessage(ChatRole.User, "hello");
        }

        await cache.GetResponseAsync(OneShot());
        Assert.Equal("hello", Assert.Single(provider.Received).Messages.Single().Text);
    }

    [Fact]
    public async Task Streams_are_stored_when_complete_and_replayed_as_chunks()
    {
        var provider = new RecordingChatClient("one two three");
        using var cache = new PromptCacheChatClient(provider);

        var first = await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        var replay = await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        var nonStreaming = await cache.GetResponseAsync(Ask());

        Assert.Equal(1, provider.Calls);
        Assert.All(first, u => Assert.Equal(CacheLayer.None, u.GetCacheLayer()));
        Assert.NotEmpty(replay);
        Assert.All(replay, u => Assert.Equal(CacheLayer.Memory, u.GetCacheLayer()));
        Assert.Equal("one two three", replay.ToChatResponse().Text);
        Assert.Equal(100, replay.ToChatResponse().Usage?.InputTokenCount);
        Assert.Equal("one two three", nonStreaming.Text);
    }

    [Fact]
    public async Task An_abandoned_stream_stores_nothing()
    {
        var provider = new RecordingChatClient("partial");
        using var cache = new PromptCacheChatClient(provider);

        await foreach (var _ in cache.GetStreamingResponseAsync(Ask()))
        {
            break;
        }

        await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task Streaming_can_be_left_uncached()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { CacheStreaming = false });
        await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        await cache.GetStreamingResponseAsync(Ask()).ToListAsync();
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task L1_is_bounded()
    {
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, new PromptCacheOptions { MemoryMaxEntries = 5 });
        for (var i = 0; i < 20; i++) await cache.GetResponseAsync(Ask("q" + i));
        Assert.InRange(cache.MemoryCount, 1, 5);
    }

    [Theory]
    [InlineData("-00:05:00", "DefaultTtl")]
    [InlineData("often", "'often'")]
    public void Invalid_options_fail_at_construction_naming_the_value(string ttl, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), new PromptCacheOptions { DefaultTtl = ttl }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), new PromptCacheOptions { MemoryMaxEntries = 0 }));
    }
}

internal static class AsyncEnumerableTestExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
