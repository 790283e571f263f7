using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Caching;

/// <summary>
/// Fresh answers (#16) on a fake clock: time-sensitive requests get the short TTL whatever the prompt's, the TTL
/// optimiser keeps hot entries longer up to a cap while never-hit entries expire at their TTL, and the TTL used and why
/// reach the ledger.
/// </summary>
public sealed class FreshAnswersTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    private static List<ChatMessage> Ask(string text) => [new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, text)];

    private static ChatOptions Ttl(string? ttl) =>
        new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "Faq.Ask", CacheTtl = ttl is null ? null : CacheTtl.Parse(ttl) });

    private static PromptCacheOptions Options(FakeTimeProvider time, bool adaptive = false) => new()
    {
        TimeProvider = time,
        DefaultTtl = "1h",
        AdaptiveTtl = { Enabled = adaptive, ExtensionFactor = 0.5, MaxFactor = 2 },
    };

    [Theory]
    [InlineData("What is the USD/JPY rate today?", "time_sensitive:today")]
    [InlineData("What is the latest version of .NET?", "time_sensitive:latest")]
    [InlineData("今日のドル円レートは？", "time_sensitive:今日")]
    [InlineData("現在の日本の首相は誰ですか？", "time_sensitive:現在")]
    [InlineData("先週の障害をまとめて", "time_sensitive:先週")]
    public async Task A_time_sensitive_request_is_cached_for_the_short_ttl_whatever_the_prompts_ttl(string question, string reason)
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryResponseCacheStore();
        var provider = new RecordingChatClient("150.12");
        using var cache = new PromptCacheChatClient(provider, Options(time), store);
        var options = Ttl("static"); // 30 days

        var first = await cache.GetResponseAsync(Ask(question), options);
        Assert.Equal((TimeSpan.FromMinutes(5), reason), first.GetCacheTtlDecision());
        Assert.Equal(TimeSpan.FromMinutes(5), Assert.Single(store.Entries).Value.Ttl);

        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var hit = await cache.GetResponseAsync(Ask(question), options);
        Assert.Equal(CacheLayer.Memory, hit.GetCacheLayer());
        Assert.Equal((null, null), hit.GetCacheTtlDecision()); // only the call that stored the answer carries the decision

        time.Advance(TimeSpan.FromSeconds(2));
        var fresh = await cache.GetResponseAsync(Ask(question), options);
        Assert.Equal(CacheLayer.None, fresh.GetCacheLayer()); // gone from L1, and L2's copy expired with it
        Assert.Equal(2, provider.Calls);
    }

    [Theory]
    [InlineData("What is the capital of France?")]
    [InlineData("List the files in the current directory.")]
    [InlineData("現在形と過去形の違いを説明してください。")]
    public async Task A_request_that_does_not_ask_about_the_present_keeps_the_prompts_ttl(string question)
    {
        var time = new FakeTimeProvider(Start);
        var store = new InMemoryResponseCacheStore();
        var provider = new RecordingChatClient("Paris");
        using var cache = new PromptCacheChatClient(provider, Options(time), store);

        var first = await cache.GetResponseAsync(Ask(question), Ttl("static"));
        Assert.Equal((TimeSpan.FromDays(30), CacheTtlReasons.Prompt), first.GetCacheTtlDecision());
        Assert.Equal(TimeSpan.FromDays(30), Assert.Single(store.Entries).Value.Ttl);

        time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(Ask(question), Ttl("static"))).GetCacheLayer());
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task The_options_default_ttl_is_recorded_as_options_and_a_shorter_own_ttl_wins_over_the_short_ttl()
    {
        var time = new FakeTimeProvider(Start);
        using var cache = new PromptCacheChatClient(new RecordingChatClient(), Options(time));

        var byDefault = await cache.GetResponseAsync(Ask("Define entropy."), new ChatOptions());
        Assert.Equal((TimeSpan.FromHours(1), CacheTtlReasons.Options), byDefault.GetCacheTtlDecision());

        var defaultButToday = await cache.GetResponseAsync(Ask("What is on the menu today?"), new ChatOptions());
        Assert.Equal((TimeSpan.FromMinutes(5), "time_sensitive:today"), defaultButToday.GetCacheTtlDecision());

        var ownShorter = await cache.GetResponseAsync(Ask("What is the rate right now?"), Ttl("1m"));
        Assert.Equal((TimeSpan.FromMinutes(1), CacheTtlReasons.Prompt), ownShorter.GetCacheTtlDecision());
    }

    [Theory]
    [InlineData("classification", "prompt")]
    [InlineData("summarization", "prompt")] // an alias of summary
    [InlineData("short_answer", "time_sensitive:today")]
    [InlineData(null, "time_sensitive:today")]
    public async Task User_content_of_a_task_that_transforms_its_input_is_data_not_a_question(string? task, string reason)
    {
        var time = new FakeTimeProvider(Start);
        using var cache = new PromptCacheChatClient(new RecordingChatClient(), Options(time));
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "Desk.Handle", Task = task, CacheTtl = CacheTtl.Static });

        var response = await cache.GetResponseAsync(Ask("My card was charged twice today."), options);
        Assert.Equal(reason, response.GetCacheTtlDecision().Reason);
    }

    [Fact]
    public async Task A_prompts_system_text_counts_a_raw_calls_system_prompt_does_not()
    {
        var time = new FakeTimeProvider(Start);
        using var cache = new PromptCacheChatClient(new RecordingChatClient(), Options(time));
        List<ChatMessage> messages = [new(ChatRole.System, "Give the latest exchange rate for the currency."), new(ChatRole.User, "USD")];

        var generated = await cache.GetResponseAsync(messages, Ttl("daily")); // metadata with a prompt id: a prompt's call
        Assert.Equal((TimeSpan.FromMinutes(5), "time_sensitive:latest"), generated.GetCacheTtlDecision());

        using var other = new PromptCacheChatClient(new RecordingChatClient(), Options(time)); // same key: a cache of its own
        var raw = await other.GetResponseAsync(messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.Daily }));
        Assert.Equal((TimeSpan.FromDays(1), CacheTtlReasons.Prompt), raw.GetCacheTtlDecision());
    }

    [Fact]
    public async Task Detection_can_be_turned_off_given_own_markers_or_told_not_to_cache_at_all()
    {
        var time = new FakeTimeProvider(Start);
        var off = Options(time);
        off.DetectTimeSensitive = false;
        using (var cache = new PromptCacheChatClient(new RecordingChatClient(), off))
        {
            var r = await cache.GetResponseAsync(Ask("What is the rate today?"), Ttl("daily"));
            Assert.Equal((TimeSpan.FromDays(1), CacheTtlReasons.Prompt), r.GetCacheTtlDecision());
        }

        var own = Options(time);
        own.UseBuiltInTimeSensitiveMarkers = false;
        own.TimeSensitiveMarkers.Add("this sprint");
        own.TimeSensitiveTtl = "10m";
        using (var cache = new PromptCacheChatClient(new RecordingChatClient(), own))
        {
            Assert.Equal((TimeSpan.FromDays(1), CacheTtlReasons.Prompt), (await cache.GetResponseAsync(Ask("What is the rate today?"), Ttl("daily"))).GetCacheTtlDecision());
            Assert.Equal((TimeSpan.FromMinutes(10), "time_sensitive:this sprint"),
                (await cache.GetResponseAsync(Ask("What is left in this sprint?"), Ttl("daily"))).GetCacheTtlDecision());
        }

        var none = Options(time);
        none.TimeSensitiveTtl = "none";
        var provider = new RecordingChatClient();
        using (var cache = new PromptCacheChatClient(provider, none))
        {
            var a = await cache.GetResponseAsync(Ask("最新のニュースは？"), Ttl("daily"));
            var b = await cache.GetResponseAsync(Ask("最新のニュースは？"), Ttl("daily"));
            Assert.Equal(CacheLayer.None, b.GetCacheLayer());
            Assert.Equal(2, provider.Calls);
            Assert.Equal((null, null), a.GetCacheTtlDecision());
        }
    }

    [Fact]
    public async Task The_ledger_records_the_ttl_and_why_on_the_call_that_stored_the_answer_and_nothing_on_hits()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new InMemoryUsageSink();
        using var client = new UsageMeterChatClient(new PromptCacheChatClient(new RecordingChatClient(), Options(time)), new PriceCatalog(), [sink]);

        await client.GetResponseAsync(Ask("What is the USD/JPY rate today?"), Ttl("static"));
        await client.GetResponseAsync(Ask("What is the USD/JPY rate today?"), Ttl("static"));
        await client.GetResponseAsync(Ask("What is the capital of France?"), Ttl("static"));
        await client.GetResponseAsync(Ask("What is the capital of Japan?"), new ChatOptions());
        var streamed = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync(Ask("明日の天気は？"), Ttl("semi-static"))) streamed.Add(u);

        var records = sink.Snapshot();
        Assert.Equal(5, records.Count);
        Assert.Equal((TimeSpan.FromMinutes(5), "time_sensitive:today"), (records[0].CacheTtl, records[0].CacheTtlReason));
        Assert.Equal(CacheLayer.Memory, records[1].CacheLayer);
        Assert.Equal((null, null), (records[1].CacheTtl, records[1].CacheTtlReason));
        Assert.Equal((TimeSpan.FromDays(30), "prompt"), (records[2].CacheTtl, records[2].CacheTtlReason));
        Assert.Equal((TimeSpan.FromHours(1), "options"), (records[3].CacheTtl, records[3].CacheTtlReason));
        Assert.True(records[4].Streaming);
        Assert.Equal((TimeSpan.FromMinutes(5), "time_sensitive:明日"), (records[4].CacheTtl, records[4].CacheTtlReason));
    }

    [Fact]
    public async Task A_hot_entry_is_extended_by_its_hits_up_to_the_cap_and_a_never_hit_entry_expires_at_its_ttl()
    {
        var time = new FakeTimeProvider(Start);
        using var extended = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), PromptOpsMetrics.MeterName,
            "promptops.cache.ttl_extended");
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, Options(time, adaptive: true), metrics: new PromptOpsMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var hot = Ask("What does HTTP 418 mean?");
        var cold = Ask("What does HTTP 451 mean?");
        var options = Ttl("10m"); // extension 5 minutes per hit, cap 20 minutes

        await cache.GetResponseAsync(hot, options);
        await cache.GetResponseAsync(cold, options);
        Assert.Equal(2, provider.Calls);

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(hot, options)).GetCacheLayer()); // expiry 10 → 15
        time.Advance(TimeSpan.FromMinutes(8)); // t = 9
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(hot, options)).GetCacheLayer()); // 15 → 20 (the cap)

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1)); // t = 10:01: past the TTL
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(cold, options)).GetCacheLayer()); // never hit: gone at its TTL
        Assert.Equal(3, provider.Calls);
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(hot, options)).GetCacheLayer()); // hot: still there
        Assert.Equal(3, provider.Calls);

        time.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(58)); // t = 19:59: within the cap
        Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(hot, options)).GetCacheLayer());
        time.Advance(TimeSpan.FromSeconds(2)); // t = 20:01: past the cap, however often it was hit
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(hot, options)).GetCacheLayer());
        Assert.Equal(4, provider.Calls);

        // Hits at 1 and 9 extended the entry; the hits at 10:01 and 19:59 were already at the cap.
        Assert.Equal(2, extended.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(extended.GetMeasurementSnapshot(), m => Assert.Equal("l1", m.Tags["promptops.cache.layer"]));
    }

    [Fact]
    public async Task Without_the_optimiser_a_hot_entry_expires_at_its_ttl()
    {
        var time = new FakeTimeProvider(Start);
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, Options(time, adaptive: false));
        var options = Ttl("10m");

        await cache.GetResponseAsync(Ask("What does HTTP 418 mean?"), options);
        for (var i = 0; i < 9; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(Ask("What does HTTP 418 mean?"), options)).GetCacheLayer());
        }

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(Ask("What does HTTP 418 mean?"), options)).GetCacheLayer());
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task A_time_sensitive_entry_is_never_extended()
    {
        var time = new FakeTimeProvider(Start);
        var provider = new RecordingChatClient();
        using var cache = new PromptCacheChatClient(provider, Options(time, adaptive: true));
        var question = Ask("What is the weather right now?");

        await cache.GetResponseAsync(question, Ttl("daily"));
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(CacheLayer.Memory, (await cache.GetResponseAsync(question, Ttl("daily"))).GetCacheLayer());
        }

        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1)); // 5:01: past the short TTL despite four hits
        Assert.Equal(CacheLayer.None, (await cache.GetResponseAsync(question, Ttl("daily"))).GetCacheLayer());
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task A_time_sensitive_request_is_never_answered_by_a_similar_older_question_of_the_semantic_layer()
    {
        var time = new FakeTimeProvider(Start);
        var options = Options(time);
        options.Semantic.Enabled = true;
        options.Semantic.VerifyFraction = 0;
        var provider = new RecordingChatClient("150");
        using var cache = new PromptCacheChatClient(provider, options, embeddingGenerator: new SameVector());

        await cache.GetResponseAsync(Ask("What is the USD/JPY exchange rate?"), Ttl("static"));
        // Control: every text embeds to the same vector, so a reworded question is a semantic hit…
        Assert.Equal(CacheLayer.Semantic, (await cache.GetResponseAsync(Ask("What's the USD/JPY exchange rate?"), Ttl("static"))).GetCacheLayer());
        Assert.Equal(1, provider.Calls);

        // …but a question about today is not answered from a month-long entry.
        var today = await cache.GetResponseAsync(Ask("What is the USD/JPY exchange rate today?"), Ttl("static"));
        Assert.Equal(CacheLayer.None, today.GetCacheLayer());
        Assert.Equal(2, provider.Calls);
    }

    /// <summary>An embedding generator that maps every text to one vector: any two requests are "similar".</summary>
    private sealed class SameVector : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 0.6f, 0.8f, 0f, 0f }))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("MaxFactor", 0.5, "PromptOps:Cache:AdaptiveTtl:MaxFactor")]
    [InlineData("MaxFactor", double.NaN, "PromptOps:Cache:AdaptiveTtl:MaxFactor")]
    [InlineData("ExtensionFactor", 0, "PromptOps:Cache:AdaptiveTtl:ExtensionFactor")]
    [InlineData("ExtensionFactor", 5, "is larger than MaxFactor")]
    public void Bad_optimiser_options_are_refused_naming_the_setting(string setting, double value, string expected)
    {
        var options = new PromptCacheOptions();
        if (setting == "MaxFactor") options.AdaptiveTtl.MaxFactor = value;
        else options.AdaptiveTtl.ExtensionFactor = value;
        var e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), options));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_short_ttl_or_a_null_marker_list_is_refused_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), new PromptCacheOptions { TimeSensitiveTtl = "soon" }));
        Assert.Contains("PromptOps:Cache:TimeSensitiveTtl: 'soon' is not a cache TTL", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), new PromptCacheOptions { TimeSensitiveMarkers = null! }));
        Assert.Contains("PromptOps:Cache:TimeSensitiveMarkers is null", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new PromptCacheChatClient(new RecordingChatClient(), new PromptCacheOptions { TimeSensitiveIgnoredTasks = ["classification", "triage"] }));
        Assert.Contains("PromptOps:Cache:TimeSensitiveIgnoredTasks: 'triage' is not a task", e.Message, StringComparison.Ordinal);
    }
}
