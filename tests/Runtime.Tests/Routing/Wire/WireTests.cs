using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using PromptOps.Caching;
using PromptOps.CodeGen;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Usage;

namespace PromptOps.Tests.Routing.Wire;

/// <summary>
/// The real OpenAI .NET client (through Microsoft.Extensions.AI.OpenAI) against the loopback OpenAI-compatible server:
/// usage with cached tokens, 429 with Retry-After, 500, timeouts, malformed bodies, unhealthy cooldown, the cascade.
/// Time is a fake clock: retry delays and timeouts are advanced, never waited for.
/// </summary>
public sealed class WireTests : IAsyncLifetime
{
    private OpenAiCompatibleServer _a = null!;
    private OpenAiCompatibleServer _b = null!;

    public async Task InitializeAsync()
    {
        _a = await OpenAiCompatibleServer.StartAsync();
        _b = await OpenAiCompatibleServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    // The SDK's own retries are off, so PromptOps' retries are the only ones (as FallbackChatClient's docs ask).
    internal static IChatClient OpenAi(OpenAiCompatibleServer server, string model = "gpt-4o-mini") =>
        new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Endpoint = server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromMinutes(5),
        }).GetChatClient(model).AsIChatClient();

    private static FallbackOptions NoJitter(Action<FallbackOptions>? more = null)
    {
        var o = new FallbackOptions { UseJitter = false, BaseDelay = TimeSpan.FromSeconds(1), AttemptTimeout = Timeout.InfiniteTimeSpan };
        more?.Invoke(o);
        return o;
    }

    [Fact]
    public async Task Cached_prompt_tokens_are_priced_at_the_cached_rate_and_not_counted_twice()
    {
        _a.Enqueue(Reply.Ok("positive", promptTokens: 1200, completionTokens: 10, cachedTokens: 1024, model: "gpt-4o-mini-2024-07-18"));
        var sink = new InMemoryUsageSink();
        using var client = OpenAi(_a).AsBuilder().UseUsageMeter().Build(new ServiceCollectionProvider(sink));

        var response = await client.GetResponseAsync("Classify: great product", new ChatOptions { ModelId = "gpt-4o-mini" });

        Assert.Equal("positive", response.Text);
        Assert.Equal(1200, response.Usage!.InputTokenCount);       // OpenAI: cached tokens are inside prompt_tokens
        Assert.Equal(1024, response.Usage.CachedInputTokenCount);
        Assert.Equal(10, response.Usage.OutputTokenCount);
        var record = Assert.Single(sink.Snapshot());
        // 176 uncached at $0.15/M + 1024 cached at $0.075/M + 10 output at $0.60/M.
        var expected = (176 * 0.15m + 1024 * 0.075m + 10 * 0.60m) / 1_000_000m;
        Assert.Equal(expected, record.CostUsd);
        Assert.Equal(1024, record.CachedInputTokens);
        Assert.NotEqual((1200 * 0.15m + 10 * 0.60m) / 1_000_000m, record.CostUsd); // not all at the full rate
        Assert.Equal("gpt-4o-mini", _a.Requests.Single().Model);
    }

    [Fact]
    public async Task Provider_batch_calls_get_the_catalogue_batch_discount_over_the_wire()
    {
        _a.Enqueue(Reply.Ok("a", 1000, 100), Reply.Ok("b", 1000, 100));
        var sink = new InMemoryUsageSink();
        using var client = OpenAi(_a).AsBuilder().UseUsageMeter().Build(new ServiceCollectionProvider(sink));

        await client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" });
        await client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" }.WithPromptOps(new PromptOpsMetadata { ProviderBatch = true }));

        var full = (1000 * 2.50m + 100 * 10m) / 1_000_000m;
        Assert.Equal(full, sink.Snapshot()[0].CostUsd);
        Assert.Equal(full * 0.5m, sink.Snapshot()[1].CostUsd);
    }

    [Fact]
    public async Task A_deferrable_call_made_at_once_without_batching_is_priced_in_full()
    {
        // No AddPromptOpsBatching: nothing queues the call, the provider answers it at once and bills the full price.
        _a.Enqueue(Reply.Ok("a", 1000, 100));
        var sink = new InMemoryUsageSink();
        using var client = OpenAi(_a).AsBuilder().UseUsageMeter().Build(new ServiceCollectionProvider(sink));

        await client.GetResponseAsync("x", new ChatOptions { ModelId = "gpt-4o" }.Deferrable("k"));

        Assert.Equal((1000 * 2.50m + 100 * 10m) / 1_000_000m, Assert.Single(sink.Snapshot()).CostUsd);
    }

    [Fact]
    public async Task A_429_is_retried_after_exactly_its_Retry_After()
    {
        _a.Enqueue(Reply.Status(429, retryAfter: "7"), Reply.Ok("done"));
        var clock = new SignalingTimeProvider();
        var logger = new FakeLogger<FallbackChatClient>();
        using var chain = new FallbackChatClient([new NamedChatClient("a", OpenAi(_a))], NoJitter(), clock, logger);

        var call = chain.GetResponseAsync("hello");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7)); // Retry-After, not the 1 s backoff
        Assert.DoesNotContain(TimeSpan.FromSeconds(1), clock.Timers);
        Assert.Single(_a.Requests);
        clock.Advance(TimeSpan.FromSeconds(7));
        var response = await call;

        Assert.Equal("done", response.Text);
        Assert.Equal("a", response.GetProvider());
        Assert.Equal(2, _a.Requests.Count);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Message.Contains("HTTP 429", StringComparison.Ordinal) && r.Message.Contains("00:00:07", StringComparison.Ordinal));
        Assert.True(chain.GetProviderStatus().Single().IsHealthy);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_limit_moves_to_the_next_provider_without_waiting()
    {
        _a.Default = _ => Reply.Status(429, retryAfter: "3600");
        _b.Enqueue(Reply.Ok("from b"));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(), clock);

        var response = await chain.GetResponseAsync("hello");

        Assert.Equal("from b", response.Text);
        Assert.Equal("b", response.GetProvider());
        Assert.Single(_a.Requests);
        Assert.Empty(clock.Timers); // no wait at all
        Assert.True(chain.GetProviderStatus()[0].IsHealthy); // rate limited, not broken
    }

    [Fact]
    public async Task A_500_is_retried_with_exponential_backoff_then_the_next_provider_answers()
    {
        _a.Default = _ => Reply.Status(500);
        _b.Enqueue(Reply.Ok("from b"));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(o => o.MaxRetries = 2), clock);

        var call = chain.GetResponseAsync("hello");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2)); // doubled
        clock.Advance(TimeSpan.FromSeconds(2));
        var response = await call;

        Assert.Equal("from b", response.Text);
        Assert.Equal(3, _a.Requests.Count); // the first try and two retries
        Assert.Single(_b.Requests);
        Assert.True(chain.GetProviderStatus()[0].IsHealthy); // a transient error does not mark it unhealthy
    }

    [Fact]
    public async Task A_timeout_is_transient_and_the_retry_answers()
    {
        _a.Enqueue(Reply.Hang, Reply.Ok("second try"));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a))],
            NoJitter(o => o.AttemptTimeout = TimeSpan.FromSeconds(10)), clock);

        var call = chain.GetResponseAsync("hello");
        await _a.WaitForRequestsAsync(1);
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10)); // the attempt times out
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1)); // the backoff
        var response = await call;

        Assert.Equal("second try", response.Text);
        Assert.Equal(2, _a.Requests.Count);
        Assert.True(chain.GetProviderStatus()[0].IsHealthy);
    }

    [Fact]
    public async Task A_malformed_body_marks_the_provider_unhealthy_and_the_next_one_answers()
    {
        _a.Enqueue(Reply.Malformed);
        _b.Enqueue(Reply.Ok("from b"));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(), clock);

        var response = await chain.GetResponseAsync("hello");

        Assert.Equal("b", response.GetProvider());
        Assert.Single(_a.Requests); // not retried: retrying a broken provider does not help
        var a = chain.GetProviderStatus()[0];
        Assert.False(a.IsHealthy);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(5), a.UnhealthyUntil);
    }

    [Fact]
    public async Task An_unhealthy_provider_is_skipped_for_the_default_five_minute_cooldown_then_probed_again()
    {
        _a.Enqueue(Reply.Status(401));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(), clock);

        Assert.Equal("b", (await chain.GetResponseAsync("1")).GetProvider());
        Assert.Single(_a.Requests);
        Assert.False(chain.GetProviderStatus()[0].IsHealthy);

        clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal("b", (await chain.GetResponseAsync("2")).GetProvider());
        Assert.Single(_a.Requests); // still skipped

        clock.Advance(TimeSpan.FromSeconds(1));
        var probed = await chain.GetResponseAsync("3"); // a answers "ok" by default now
        Assert.Equal("a", probed.GetProvider());
        Assert.Equal(2, _a.Requests.Count);
        Assert.True(chain.GetProviderStatus()[0].IsHealthy);
    }

    [Fact]
    public async Task When_every_provider_fails_the_exception_names_each()
    {
        _a.Default = _ => Reply.Status(403);
        _b.Default = _ => Reply.Status(400);
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(), clock);

        var first = await Assert.ThrowsAsync<AllProvidersFailedException>(() => chain.GetResponseAsync("x"));
        Assert.Equal(2, first.InnerExceptions.Count);
        Assert.False(chain.GetProviderStatus()[0].IsHealthy); // 403: the provider's fault
        Assert.True(chain.GetProviderStatus()[1].IsHealthy);  // 400: this request's fault

        var second = await Assert.ThrowsAsync<AllProvidersFailedException>(() => chain.GetResponseAsync("x"));
        Assert.Contains("'a' skipped: unhealthy until", second.Message, StringComparison.Ordinal);
        Assert.Single(_a.Requests);
    }

    [Fact]
    public async Task A_stream_falls_back_before_its_first_update_and_carries_usage()
    {
        _a.Enqueue(Reply.Status(503));
        _b.Enqueue(Reply.Ok("streamed from b", promptTokens: 50, completionTokens: 3));
        var clock = new SignalingTimeProvider();
        using var chain = new FallbackChatClient([new("a", OpenAi(_a)), new("b", OpenAi(_b))], NoJitter(o => o.MaxRetries = 0), clock);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in chain.GetStreamingResponseAsync("hello")) updates.Add(u);

        Assert.Equal("b", updates[0].GetProvider());
        var response = updates.ToChatResponse();
        Assert.Equal("streamed from b", response.Text);
        Assert.Equal(50, response.Usage?.InputTokenCount);
        Assert.True(_b.Requests.Single().Stream);
    }

    [Fact]
    public async Task The_cascade_over_the_real_client_escalates_and_the_meter_prices_every_attempt()
    {
        _a.Default = r => r.Model == "gpt-4o-mini" ? Reply.Ok("maybe", 300, 2) : Reply.Ok("positive", 300, 2);
        var sink = new InMemoryUsageSink();
        using var client = OpenAi(_a).AsBuilder()
            .UseUsageMeter()
            .UseCascade(o => o.Levels = [ModelTiers.FastCheapName, ModelTiers.BalancedName])
            .Build(new ServiceCollectionProvider(sink));

        var response = await client.GetResponseAsync("Classify: I love it",
            new ChatOptions().WithCascade(CascadeEvaluators.OneOf("positive", "negative", "neutral")));

        Assert.Equal("positive", response.Text);
        Assert.Equal(1, response.GetCascadeLevel());
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5"], _a.Requests.Select(r => r.Model));
        var attempts = response.GetCascadeAttempts()!;
        Assert.False(attempts[0].Passed);
        Assert.True(attempts[1].Passed);
        Assert.Equal(600, response.Usage!.InputTokenCount); // both attempts

        var prices = new PriceCatalog();
        var expected = prices.Cost("gpt-4o-mini", 300, 0, 2).Usd!.Value + prices.Cost("claude-haiku-4-5", 300, 0, 2).Usd!.Value;
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(expected, record.CostUsd);
        Assert.Equal(expected, response.GetPromptOpsFeatures()!.CostUsd);
        Assert.Equal("claude-haiku-4-5", record.ModelId);
        Assert.Equal(2, record.Attempts!.Count);
        Assert.Equal(CacheLayer.None, record.CacheLayer);
    }

    [Fact]
    public async Task The_batch_processor_over_the_real_client_asks_a_missing_item_again_alone()
    {
        // The batch reply answers items 1 and 3 only; item 2 comes back in a single call.
        _a.Enqueue(Reply.Ok("```json\n[{\"id\": 1, \"answer\": \"positive\"}, {\"id\": 3, \"answer\": \"neutral\"}]\n```", 120, 30),
            Reply.Ok("negative", 40, 1));
        await using var batcher = new BatchProcessor(OpenAi(_a), new BatchProcessorOptions
        {
            Instructions = "Classify the sentiment: positive, negative or neutral.",
            MaxBatchSize = 3,
            ChatOptions = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 3 },
        }, timeProvider: new FakeTimeProvider()); // no flush timer: only the size sends the batch

        var answers = await Task.WhenAll(batcher.ProcessAsync("love it"), batcher.ProcessAsync("broken on arrival"), batcher.ProcessAsync("it is a phone"));

        Assert.Equal(["positive", "negative", "neutral"], answers);
        var requests = _a.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Contains("### Item 2\nbroken on arrival", requests[0].Body.ToJsonString().Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal((3 + 12) * 3 + 4, (int)requests[0].Body["max_completion_tokens"]!);
        Assert.Equal("broken on arrival", (string?)requests[1].Body["messages"]![1]!["content"]);
        var stats = batcher.Statistics;
        Assert.Equal(160, stats.InputTokens);
        Assert.Equal(2, stats.ItemsAnsweredInBatch);
        Assert.Equal(1, stats.SingleCalls);
    }
}

/// <summary>A minimal service provider that hands the meter one sink.</summary>
internal sealed class ServiceCollectionProvider(IUsageSink sink) : IServiceProvider
{
    public object? GetService(Type serviceType) =>
        serviceType == typeof(IEnumerable<IUsageSink>) ? new[] { sink } : null;
}

public class ProviderUsageTests
{
    [Fact]
    public void Anthropic_input_excludes_cache_reads_and_writes_so_they_are_added_reads_priced_cached_and_writes_at_the_cache_write_price()
    {
        var usage = PromptOps.Pricing.ProviderUsage.FromAnthropic(inputTokens: 50, cacheReadInputTokens: 2000, cacheCreationInputTokens: 100, outputTokens: 20);
        Assert.Equal(2150, usage.InputTokenCount);
        Assert.Equal(2000, usage.CachedInputTokenCount);
        Assert.Equal(100, usage.AdditionalCounts![PromptOps.Pricing.ProviderUsage.CacheCreationInputTokensKey]);
        var cost = new PriceCatalog().Cost("claude-sonnet", usage).Usd; // claude-sonnet → claude-sonnet-4-5
        // 50 uncached at 3.00, 2000 cache reads at 0.30, 100 cache writes at 3.75 (1.25 × input), 20 output at 15.00.
        Assert.Equal((50 * 3.00m + 2000 * 0.30m + 100 * 3.75m + 20 * 15.00m) / 1_000_000m, cost);
    }

    [Fact]
    public void OpenAI_prompt_tokens_already_include_cached_tokens()
    {
        var usage = PromptOps.Pricing.ProviderUsage.FromOpenAI(1200, 1024, 10);
        Assert.Equal(1200, usage.InputTokenCount);
        Assert.Equal((176 * 0.15m + 1024 * 0.075m + 10 * 0.60m) / 1_000_000m, new PriceCatalog().Cost("gpt-4o-mini", usage).Usd);
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptOps.Pricing.ProviderUsage.FromOpenAI(10, 11, 0));
    }
}
