using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Pricing;
using PromptOps.Reports;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using PromptOps.Usage;

namespace PromptOps.Tests.Usage;

/// <summary>A call is never silently $0: no usage → estimated and flagged; cache writes and reasoning tokens carried and priced.</summary>
public sealed class UsageEstimateTests : IDisposable
{
    private const string Answer = "Billing: a duplicate charge on the customer's card.";
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PromptOpsMetrics _metrics;

    public UsageEstimateTests() => _metrics = new PromptOpsMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    public void Dispose() => _services.Dispose();

    private static List<ChatMessage> Ask() => [new(ChatRole.System, "Classify the ticket."), new(ChatRole.User, "My card was charged twice for one order.")];

    private static RecordingChatClient WithoutUsage(string model = "gpt-4o-mini")
    {
        var provider = new RecordingChatClient(Answer, model);
        provider.Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer)) { ModelId = o?.ModelId ?? model });
        return provider;
    }

    private static (long Input, long Output, decimal Usd) Expected(string model = "gpt-4o-mini")
    {
        long input = RequestTokens.Count(Ask(), null, model);
        long output = TokenCounters.ForModel(model).CountTokens(Answer);
        return (input, output, new PriceCatalog().Cost(model, input, 0, output).Usd!.Value);
    }

    [Fact]
    public async Task A_response_without_usage_is_estimated_priced_and_flagged_not_zero()
    {
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(WithoutUsage(), new PriceCatalog(), [sink], _metrics);
        await meter.GetResponseAsync(Ask());

        var record = Assert.Single(sink.Snapshot());
        var (input, output, usd) = Expected();
        Assert.True(input > 10 && output > 5);
        Assert.Equal((input, output, usd), (record.InputTokens, record.OutputTokens, record.CostUsd!.Value));
        Assert.True(record.IsPriced);
        Assert.Equal(UsageAnomalies.Estimated, record.Anomalies);
        Assert.True(record.CostUsd > 0m);
    }

    [Fact]
    public async Task A_finished_stream_without_usage_is_estimated()
    {
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(WithoutUsage(), new PriceCatalog(), [sink], _metrics);
        await foreach (var _ in meter.GetStreamingResponseAsync(Ask()))
        {
        }

        var record = Assert.Single(sink.Snapshot());
        var (input, output, usd) = Expected();
        Assert.Equal((input, output, usd), (record.InputTokens, record.OutputTokens, record.CostUsd!.Value));
        Assert.Equal(UsageOutcome.Success, record.Outcome);
        Assert.Equal(UsageAnomalies.Estimated, record.Anomalies);
    }

    [Fact]
    public async Task An_abandoned_stream_is_estimated_from_what_arrived()
    {
        var sink = new InMemoryUsageSink();
        var provider = new StreamingClient(["Billing", ": a duplicate", " charge."]);
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);
        await foreach (var update in meter.GetStreamingResponseAsync(Ask(), new ChatOptions { ModelId = "gpt-4o-mini" }))
        {
            break; // the consumer stops after the first update
        }

        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(UsageOutcome.Cancelled, record.Outcome);
        Assert.Equal(UsageAnomalies.Estimated, record.Anomalies);
        Assert.Equal(RequestTokens.Count(Ask(), new ChatOptions { ModelId = "gpt-4o-mini" }, "gpt-4o-mini"), record.InputTokens);
        Assert.Equal(TokenCounters.ForModel("gpt-4o-mini").CountTokens("Billing"), record.OutputTokens);
        Assert.True(record.CostUsd > 0m);
    }

    [Fact]
    public async Task A_call_that_failed_before_any_answer_still_costs_nothing_and_is_not_estimated()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        provider.Respond = (_, _, _) => throw new InvalidOperationException("down");
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);
        await Assert.ThrowsAsync<InvalidOperationException>(() => meter.GetResponseAsync(Ask(), new ChatOptions { ModelId = "gpt-4o" }));
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(UsageAnomalies.None, record.Anomalies);
        Assert.Equal(0m, record.CostUsd);
    }

    [Fact]
    public async Task Cache_writes_are_priced_at_the_cache_write_price_and_reasoning_tokens_are_carried()
    {
        var sink = new InMemoryUsageSink();
        var provider = new RecordingChatClient();
        var anthropic = ProviderUsage.FromAnthropic(inputTokens: 1_000, cacheReadInputTokens: 4_000, cacheCreationInputTokens: 2_000, outputTokens: 300);
        anthropic.ReasoningTokenCount = 120;
        var openAi = new UsageDetails
        {
            InputTokenCount = 500, OutputTokenCount = 900,
            AdditionalCounts = new() { ["OutputTokenDetails.ReasoningTokenCount"] = 640 }, // the key older M.E.AI.OpenAI versions wrote
        };
        var usages = new Queue<(string Model, UsageDetails Usage)>([("claude-haiku-4-5-20251001", anthropic), ("gpt-5-mini", openAi)]);
        provider.Respond = (_, _, _) =>
        {
            var (model, usage) = usages.Dequeue();
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ModelId = model, Usage = usage });
        };
        using var meter = new UsageMeterChatClient(provider, new PriceCatalog(), [sink], _metrics);
        await meter.GetResponseAsync(Ask());
        await meter.GetResponseAsync(Ask());

        var records = sink.Snapshot().ToList();
        Assert.Equal((7_000L, 4_000L, 2_000L, 300L, 120L), (records[0].InputTokens, records[0].CachedInputTokens, records[0].CacheWriteInputTokens, records[0].OutputTokens, records[0].ReasoningTokens));
        Assert.Equal((1_000 * 1.00m + 4_000 * 0.10m + 2_000 * 1.25m + 300 * 5.00m) / 1_000_000m, records[0].CostUsd);
        Assert.Equal(640, records[1].ReasoningTokens);
        Assert.Equal((500 * 0.25m + 900 * 2.00m) / 1_000_000m, records[1].CostUsd); // reasoning is billed as output, not twice
        Assert.All(records, r => Assert.Equal(UsageAnomalies.None, r.Anomalies));
    }

    [Fact]
    public async Task An_unknown_model_is_unpriced_with_a_metric_and_one_warning_per_model()
    {
        using var unpriced = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), PromptOpsMetrics.MeterName, "promptops.requests.unpriced");
        var logger = new FakeLogger<UsageMeterChatClient>();
        var sink = new InMemoryUsageSink();
        using var meter = new UsageMeterChatClient(new RecordingChatClient(), new PriceCatalog(), [sink], _metrics, logger: logger);
        foreach (var model in new[] { "claude-haiku-9-20300101", "claude-haiku-9-20300101", "acme-1" })
        {
            await meter.GetResponseAsync(Ask(), new ChatOptions { ModelId = model });
        }

        Assert.All(sink.Snapshot(), r => Assert.Null(r.CostUsd));
        Assert.Equal(3, unpriced.GetMeasurementSnapshot().Count);
        var warnings = logger.Collector.GetSnapshot().Where(l => l.Id.Id == 2004).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("claude-haiku-9-20300101", warnings[0].Message, StringComparison.Ordinal);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
    }

    [Fact]
    public void Reports_show_the_estimated_part_of_the_cost_apart()
    {
        var t0 = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
        var ledger = UsageLedger.From(
        [
            new UsageRecord { Timestamp = t0, ModelId = "gpt-4o-mini", CostUsd = 0.03m, IsPriced = true },
            new UsageRecord { Timestamp = t0, ModelId = "gpt-4o-mini", CostUsd = 0.01m, IsPriced = true, Anomalies = UsageAnomalies.Estimated },
            new UsageRecord { Timestamp = t0, ModelId = "gpt-4o-mini", CostUsd = 0.02m, IsPriced = true, Anomalies = UsageAnomalies.Estimated | UsageAnomalies.TokensClamped },
        ]);
        var totals = ledger.Daily().Totals;
        Assert.Equal(0.06m, totals.CostUsd);
        Assert.Equal(0.03m, totals.EstimatedCostUsd);
        Assert.Equal(2, totals.EstimatedRequests);
    }

    [Fact]
    public async Task The_estimated_flag_is_stored_in_the_ledgers_anomalies_column_and_named_by_its_view()
    {
        var db = Path.Combine(Path.GetTempPath(), "promptops-estimated-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            var t0 = new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);
            await using (var sink = new PromptOps.Usage.Sqlite.SqliteUsageSink(db))
            {
                sink.Record(new UsageRecord { Timestamp = t0, ModelId = "gpt-4o-mini", CostUsd = 0.01m, IsPriced = true, Anomalies = UsageAnomalies.Estimated });
                sink.Record(new UsageRecord { Timestamp = t0, ModelId = "gpt-4o-mini", CostUsd = 0.01m, IsPriced = true, Anomalies = UsageAnomalies.Estimated | UsageAnomalies.TokensClamped });
            }

            Assert.Equal([UsageAnomalies.Estimated, UsageAnomalies.Estimated | UsageAnomalies.TokensClamped],
                PromptOps.Usage.Sqlite.SqliteLedgerReader.Read(db).Select(r => r.Anomalies));
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var q = connection.CreateCommand();
            q.CommandText = "SELECT group_concat(anomalies, ',') FROM usage";
            Assert.Equal("estimated,tokens_clamped estimated", Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var f in new[] { db, db + "-wal", db + "-shm" })
            {
                if (File.Exists(f)) File.Delete(f);
            }
        }
    }

    /// <summary>Streams the given text updates, with no usage.</summary>
    private sealed class StreamingClient(string[] parts) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var part in parts)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, part) { ModelId = options?.ModelId };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
