using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Usage;

public sealed class UsageMeterChatClientTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IMeterFactory _meters;
    private readonly PromptOpsMetrics _metrics;

    public UsageMeterChatClientTests()
    {
        _meters = _services.GetRequiredService<IMeterFactory>();
        _metrics = new PromptOpsMetrics(_meters);
    }

    public void Dispose() => _services.Dispose();

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(_meters, PromptOpsMetrics.MeterName, instrument);

    private static List<ChatMessage> Ask(string text = "Classify: my card was charged twice") => [new(ChatRole.User, text)];

    private static ChatOptions Meta() => new ChatOptions().WithPromptOps(new PromptOpsMetadata
    {
        PromptId = "Tickets.Classify",
        PromptVersion = "abc",
        Task = "classification",
        UserId = "user-1",
    });

    [Fact]
    public async Task A_provider_call_records_its_cost_its_outcome_and_a_usage_record()
    {
        using var spent = Collect<double>("promptops.cost.spent");
        using var saved = Collect<double>("promptops.cost.saved");
        using var requests = Collect<long>("promptops.chat.requests");
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o", input: 1_000, output: 200);
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);

        await meter.GetResponseAsync(Ask(), Meta());

        var expected = (1_000 * 2.50m + 200 * 10.00m) / 1_000_000m;
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(expected, record.CostUsd);
        Assert.Equal(0m, record.CostSavedUsd);
        Assert.Equal("gpt-4o", record.ModelId);
        Assert.Equal("Tickets.Classify", record.PromptId);
        Assert.Equal("user-1", record.UserId);
        Assert.Equal("fast_cheap", record.Tier);
        Assert.Equal(1_000, record.InputTokens);
        Assert.Equal(200, record.OutputTokens);
        Assert.Equal(UsageOutcome.Success, record.Outcome);
        Assert.Equal(CacheLayer.None, record.CacheLayer);
        Assert.True(record.IsPriced);

        Assert.Equal((double)expected, spent.LastMeasurement!.Value, 12);
        Assert.Empty(saved.GetMeasurementSnapshot());
        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal(1, request.Value);
        Assert.Equal("success", request.Tags["promptops.outcome"]);
        Assert.Equal("none", request.Tags["promptops.cache.layer"]);
        Assert.Equal("Tickets.Classify", request.Tags["promptops.prompt_id"]);
        Assert.Equal("fast_cheap", request.Tags["promptops.tier"]);
    }

    [Fact]
    public async Task Cache_hits_are_recorded_as_saved_not_spent()
    {
        using var spent = Collect<double>("promptops.cost.spent");
        using var saved = Collect<double>("promptops.cost.saved");
        using var requests = Collect<long>("promptops.chat.requests");
        using var lookups = Collect<long>("promptops.cache.lookups");
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: 1_000_000, output: 0);
        using var client = new UsageMeterChatClient(new PromptCacheChatClient(provider, metrics: _metrics), new PriceCatalog(), [sink], _metrics);

        await client.GetResponseAsync(Ask());
        await client.GetResponseAsync(Ask());
        await client.GetResponseAsync(Ask());

        var records = sink.Snapshot();
        Assert.Equal([0.15m, 0m, 0m], records.Select(r => r.CostUsd));
        Assert.Equal([0m, 0.15m, 0.15m], records.Select(r => r.CostSavedUsd));
        Assert.Equal([CacheLayer.None, CacheLayer.Memory, CacheLayer.Memory], records.Select(r => r.CacheLayer));
        Assert.Equal(0.15, spent.GetMeasurementSnapshot().Sum(m => m.Value), 9);
        Assert.Equal(0.30, saved.GetMeasurementSnapshot().Sum(m => m.Value), 9);
        Assert.All(saved.GetMeasurementSnapshot(), m => Assert.Equal("l1", m.Tags["promptops.cache.layer"]));
        Assert.Equal(["none", "l1", "l1"], requests.GetMeasurementSnapshot().Select(m => (string?)m.Tags["promptops.cache.layer"]));
        var l1 = lookups.GetMeasurementSnapshot().Where(m => (string?)m.Tags["promptops.cache.layer"] == "l1").ToList();
        Assert.Equal(2, l1.Count(m => (string?)m.Tags["promptops.cache.result"] == "hit"));
        Assert.Equal(1, l1.Count(m => (string?)m.Tags["promptops.cache.result"] == "miss"));
    }

    [Fact]
    public async Task Cached_input_tokens_are_priced_at_the_cached_rate_without_double_counting()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = "gpt-4o-2024-08-06",
            Usage = new UsageDetails { InputTokenCount = 10_000, CachedInputTokenCount = 8_000, OutputTokenCount = 100 },
        });
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);
        await meter.GetResponseAsync(Ask());

        var record = Assert.Single(sink.Snapshot());
        Assert.Equal((2_000 * 2.50m + 8_000 * 1.25m + 100 * 10m) / 1_000_000m, record.CostUsd);
        Assert.Equal(8_000, record.CachedInputTokens);
    }

    [Fact]
    public async Task Unknown_models_are_counted_as_unpriced_never_as_free()
    {
        using var unpriced = Collect<long>("promptops.requests.unpriced");
        using var spent = Collect<double>("promptops.cost.spent");
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(new RecordingChatClient(model: "mystery-model"), new PriceCatalog(), [sink], _metrics);
        await meter.GetResponseAsync(Ask());

        var record = Assert.Single(sink.Snapshot());
        Assert.Null(record.CostUsd);
        Assert.False(record.IsPriced);
        Assert.Equal(1, unpriced.LastMeasurement!.Value);
        Assert.Empty(spent.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Failures_and_cancellations_are_recorded_and_rethrown()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, ct) => ct.IsCancellationRequested ? Task.FromCanceled<ChatResponse>(ct) : throw new InvalidOperationException("boom");
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);

        await Assert.ThrowsAsync<InvalidOperationException>(() => meter.GetResponseAsync(Ask(), new ChatOptions { ModelId = "gpt-4o" }));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => meter.GetResponseAsync(Ask(), null, cts.Token));

        var records = sink.Snapshot();
        Assert.Equal([UsageOutcome.Failed, UsageOutcome.Cancelled], records.Select(r => r.Outcome));
        Assert.Equal(typeof(InvalidOperationException).FullName, records[0].ErrorType);
        Assert.Equal("gpt-4o", records[0].ModelId);
        Assert.Equal(0m, records[0].CostUsd);
    }

    [Fact]
    public async Task Negative_or_absurd_usage_is_clamped_flagged_and_logged_once_never_thrown()
    {
        var sink = new InMemoryUsageSink();
        var logger = new FakeLogger<UsageMeterChatClient>();
        UsageDetails usage = new() { InputTokenCount = -50, OutputTokenCount = 20 };
        var provider = new RecordingChatClient(model: "gpt-4o");
        provider.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = "gpt-4o", Usage = usage });
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics, logger: logger);

        // The provider has answered: the answer is returned, whatever its usage says.
        var response = await meter.GetResponseAsync(Ask());
        Assert.Equal("ok", response.Text);
        usage = new UsageDetails { InputTokenCount = long.MaxValue, OutputTokenCount = long.MinValue, CachedInputTokenCount = 10 };
        await meter.GetResponseAsync(Ask());
        usage = new UsageDetails { InputTokenCount = 100, CachedInputTokenCount = 500, OutputTokenCount = 5 };
        await meter.GetResponseAsync(Ask());
        usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 5 };
        await meter.GetResponseAsync(Ask());

        var records = sink.Snapshot().ToList();
        Assert.Equal(4, records.Count);
        Assert.Equal((0L, 0L, 20L, UsageAnomalies.TokensClamped), (records[0].InputTokens, records[0].CachedInputTokens, records[0].OutputTokens, records[0].Anomalies));
        Assert.Equal(20 * 10.00m / 1_000_000m, records[0].CostUsd);
        Assert.Equal((UsageMeterChatClient.MaxPlausibleTokens, 10L, 0L, UsageAnomalies.TokensClamped), (records[1].InputTokens, records[1].CachedInputTokens, records[1].OutputTokens, records[1].Anomalies));
        Assert.Equal((100L, 100L, UsageAnomalies.TokensClamped), (records[2].InputTokens, records[2].CachedInputTokens, records[2].Anomalies));
        Assert.Equal(UsageAnomalies.None, records[3].Anomalies);
        Assert.All(records, r => Assert.Equal(UsageOutcome.Success, r.Outcome));

        var warning = Assert.Single(logger.Collector.GetSnapshot(), l => l.Level >= LogLevel.Warning);
        Assert.Equal(2002, warning.Id.Id);
        Assert.Contains("input -50", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_hit_and_a_stream_with_negative_usage_are_metered_not_thrown()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient(model: "gpt-4o-mini", input: -7, output: -3);
        var hit = new RecordingChatClient(model: "gpt-4o-mini", input: -7, output: 4);
        hit.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "cached"))
        {
            ModelId = "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = -7, OutputTokenCount = 4 },
            AdditionalProperties = new() { [PromptOpsResponseFeatures.AdditionalPropertiesKey] = new PromptOpsResponseFeatures { CacheLayer = CacheLayer.Distributed } },
        });
        using var streamMeter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);
        using var hitMeter = new UsageMeterChatClient(hit, new PriceCatalog(), [sink], _metrics);

        await foreach (var _ in streamMeter.GetStreamingResponseAsync(Ask()))
        {
        }

        Assert.Equal("cached", (await hitMeter.GetResponseAsync(Ask())).Text);
        var records = sink.Snapshot().ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal(UsageAnomalies.TokensClamped, r.Anomalies));
        Assert.Equal((0L, 0L, 0m), (records[0].InputTokens, records[0].OutputTokens, records[0].CostUsd));
        Assert.Equal((0L, 4L, 0m, 4 * 0.60m / 1_000_000m), (records[1].InputTokens, records[1].OutputTokens, records[1].CostUsd, records[1].CostSavedUsd));
    }

    [Fact]
    public async Task Streams_are_metered_from_their_usage_content()
    {
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(new RecordingChatClient("a b c", model: "gpt-4o-mini", input: 2_000, output: 30), new PriceCatalog(), [sink], _metrics);
        await foreach (var _ in meter.GetStreamingResponseAsync(Ask()))
        {
        }

        var record = Assert.Single(sink.Snapshot());
        Assert.True(record.Streaming);
        Assert.Equal(2_000, record.InputTokens);
        Assert.Equal(30, record.OutputTokens);
        Assert.Equal((2_000 * 0.15m + 30 * 0.60m) / 1_000_000m, record.CostUsd);
    }

    [Fact]
    public async Task A_throwing_sink_never_fails_the_call_and_other_sinks_still_get_the_record()
    {
        var good = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(new RecordingChatClient(), new PriceCatalog(), [new ThrowingSink(), good], _metrics);
        var response = await meter.GetResponseAsync(Ask());
        Assert.Equal("answer", response.Text);
        Assert.Single(good.Snapshot());
    }

    [Fact]
    public void The_in_memory_sink_is_bounded()
    {
        var sink = new InMemoryUsageSink(capacity: 3);
        for (var i = 0; i < 5; i++) sink.Record(new UsageRecord { Timestamp = DateTimeOffset.UnixEpoch.AddDays(i) });
        Assert.Equal(3, sink.Snapshot().Count);
        Assert.Equal(2, sink.Dropped);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(2), sink.Snapshot()[0].Timestamp);
    }

    [Fact]
    public async Task A_limit_refusal_is_recorded_as_refused_with_the_limit_name_and_no_cost()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => throw new PromptOpsLimitException("daily budget spent", "budget.daily", 1.02m, 1m, "USD", TimeSpan.FromHours(3), "user-1");
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);

        await Assert.ThrowsAsync<PromptOpsLimitException>(() => meter.GetResponseAsync(Ask(), Meta()));

        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(UsageOutcome.Refused, record.Outcome);
        Assert.Equal("budget.daily", record.LimitName);
        Assert.Equal(typeof(PromptOpsLimitException).FullName, record.ErrorType);
        Assert.Equal(0m, record.CostUsd);
        Assert.Equal(0, record.InputTokens);
    }

    [Fact]
    public async Task A_derived_limit_exception_is_a_refusal_too()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => throw new RateLimitTestException();
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);

        await Assert.ThrowsAsync<RateLimitTestException>(() => meter.GetResponseAsync(Ask()));

        Assert.Equal(UsageOutcome.Refused, Assert.Single(sink.Snapshot()).Outcome);
        Assert.Equal("plan.rpm", sink.Snapshot()[0].LimitName);
    }

    [Fact]
    public async Task The_endpoint_is_the_metadata_endpoint_else_the_ambient_http_route_else_the_prompt_id()
    {
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(new RecordingChatClient(), new PriceCatalog(), [sink], _metrics);
        var explicitEndpoint = new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "Tickets.Classify", Endpoint = "POST /tickets" });

        await meter.GetResponseAsync(Ask(), explicitEndpoint);
        using (var request = new Activity("request").SetTag("http.route", "/tickets/{id}").Start())
        using (var inner = new Activity("work").Start())
        {
            await meter.GetResponseAsync(Ask(), Meta()); // route of the parent activity wins over the prompt id
            await meter.GetResponseAsync(Ask(), explicitEndpoint); // an explicit endpoint wins over the route
        }

        await meter.GetResponseAsync(Ask(), Meta());
        await meter.GetResponseAsync(Ask());

        Assert.Equal(["POST /tickets", "/tickets/{id}", "POST /tickets", "Tickets.Classify", null], sink.Snapshot().Select(r => r.Endpoint));
    }

    private sealed class RateLimitTestException() : PromptOpsLimitException("rpm", "plan.rpm", 6, 5, "requests", TimeSpan.FromSeconds(10));

    private sealed class ThrowingSink : IUsageSink
    {
        public void Record(UsageRecord record) => throw new IOException("disk full");
    }
}
