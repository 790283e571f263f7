using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Batching.Tests.Infrastructure;
using PromptOps.Pricing;
using PromptOps.Routing.Batching;
using PromptOps.Usage;

namespace PromptOps.Batching.Tests;

/// <summary>Deferrable calls through the usage meter and the batching layer into the loopback batch server, in one process.</summary>
public sealed class ProviderBatchSchedulerTests : IAsyncLifetime
{
    private BatchApiServer _server = null!;

    public async Task InitializeAsync() => _server = await BatchApiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    internal static ProviderBatchOptions Options(BatchApiServer server, BatchProviderKind provider, int size = 5, int attempts = 3) => new()
    {
        Provider = provider,
        BaseAddress = server.BaseAddress,
        ApiKey = BatchApiServer.ApiKey,
        MaxBatchSize = size,
        MaxBatchAge = TimeSpan.FromMinutes(10),
        FirstPollDelay = TimeSpan.FromMilliseconds(5),
        MaxPollDelay = TimeSpan.FromMilliseconds(40),
        MaxItemAttempts = attempts,
        DefaultModel = provider == BatchProviderKind.Anthropic ? "claude-haiku-4-5" : "gpt-4o-mini",
    };

    private static List<ChatMessage> Ask(string text) => [new(ChatRole.System, "Answer briefly."), new(ChatRole.User, text)];

    private static (IChatClient Client, InMemoryUsageSink Sink, DirectChatClient Direct) Pipeline(ProviderBatchScheduler scheduler)
    {
        var sink = new InMemoryUsageSink();
        var direct = new DirectChatClient();
        return (new UsageMeterChatClient(new DeferrableChatClient(direct, scheduler), sinks: [sink]), sink, direct);
    }

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task Deferrable_calls_are_answered_from_provider_batches_by_custom_id_and_priced_at_the_batch_rate(BatchProviderKind provider)
    {
        await using var scheduler = new ProviderBatchScheduler(Options(_server, provider));
        var (client, sink, direct) = Pipeline(scheduler);
        var calls = Enumerable.Range(0, 12).Select(i => client.GetResponseAsync(Ask($"question {i}"), new ChatOptions().Deferrable($"k{i}"))).ToList();
        await Waiting.UntilAsync(() => _server.BatchesCreated == 2, "two full batches submitted");
        await scheduler.DrainAsync(); // the last two items: submitted now, not after the ten-minute age
        var answers = await Task.WhenAll(calls);

        for (var i = 0; i < 12; i++) Assert.Equal($"answer to: question {i}", answers[i].Text);
        Assert.Equal(3, _server.BatchesCreated);
        Assert.Equal("direct", (await client.GetResponseAsync(Ask("now"))).Text); // not deferrable: straight to the provider
        Assert.Equal(1, direct.Calls);

        var model = provider == BatchProviderKind.Anthropic ? "claude-haiku-4-5" : "gpt-4o-mini";
        var prices = new PriceCatalog();
        var cached = provider == BatchProviderKind.Anthropic ? 40 : 0; // Anthropic: 60 input + 40 cache reads
        var batchCost = prices.Cost(model, 100, cached, 10, batch: true).Usd!.Value;
        Assert.Equal(prices.Cost(model, 100, cached, 10).Usd!.Value / 2, batchCost);
        var records = sink.Snapshot().Where(r => r.Outcome == UsageOutcome.Success).ToList();
        Assert.Equal(13, records.Count); // the direct call too, at its full price
        Assert.Equal(12, records.Count(r => r.ModelId == model && r.CostUsd == batchCost && r.InputTokens == 100 && r.CachedInputTokens == cached && r.OutputTokens == 10));
        var stats = scheduler.Statistics;
        Assert.Equal((12, 3, 12, 0L), (stats.ItemsQueued, stats.BatchesSubmitted, stats.DeliveredToCallers, stats.ItemsRetried));
    }

    [Fact]
    public async Task A_service_provider_disposed_synchronously_stops_the_scheduler_instead_of_throwing()
    {
        // Only IAsyncDisposable, the scheduler made ServiceProvider.Dispose() throw ("only implements IAsyncDisposable").
        var services = new ServiceCollection().AddPromptOpsBatching(o =>
        {
            var t = Options(_server, BatchProviderKind.OpenAI, size: 1);
            (o.Provider, o.BaseAddress, o.ApiKey, o.DefaultModel, o.MaxBatchSize, o.FirstPollDelay, o.MaxPollDelay) =
                (t.Provider, t.BaseAddress, t.ApiKey, t.DefaultModel, t.MaxBatchSize, t.FirstPollDelay, t.MaxPollDelay);
        });
        ProviderBatchScheduler scheduler;
        using (var provider = services.BuildServiceProvider())
        {
            scheduler = provider.GetRequiredService<ProviderBatchScheduler>();
            Assert.Equal("answer to: hello", (await scheduler.EnqueueAsync(Ask("hello"), new ChatOptions().Deferrable())).Text);
        }

        // Stopped and released: a call now is refused, and disposing again (either way) is harmless.
        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => scheduler.EnqueueAsync(Ask("late"), new ChatOptions().Deferrable())); // ObjectDisposedException is one
        scheduler.Dispose();
        await scheduler.DisposeAsync();
        Assert.Equal(1, _server.BatchesCreated);
    }

    [Fact]
    public async Task A_batch_is_submitted_when_its_first_item_is_old_enough()
    {
        var options = Options(_server, BatchProviderKind.OpenAI, size: 100);
        options.MaxBatchAge = TimeSpan.FromMilliseconds(20);
        await using var scheduler = new ProviderBatchScheduler(options);
        var (client, _, _) = Pipeline(scheduler);
        var answers = await Task.WhenAll(client.GetResponseAsync(Ask("a"), new ChatOptions().Deferrable()), client.GetResponseAsync(Ask("b"), new ChatOptions().Deferrable()));
        Assert.Equal(["answer to: a", "answer to: b"], answers.Select(a => a.Text));
        Assert.Equal(1, _server.BatchesCreated);
    }

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task Partial_failure_retries_retryable_items_and_fails_rejected_ones_once(BatchProviderKind provider)
    {
        _server.Fate = (text, attempt) => text switch
        {
            "flaky" when attempt == 1 => ItemFate.ServerError,
            "bad" => ItemFate.Reject,
            _ => ItemFate.Succeed,
        };
        // The instruments, as an operator reads them (the test classes of this assembly run one at a time: AssemblyInfo.cs).
        var measured = new Dictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PromptOpsMetrics.MeterName && instrument.Name.StartsWith("promptops.batch.", StringComparison.Ordinal)) l.EnableMeasurementEvents(instrument);
        };
        await using var scheduler = new ProviderBatchScheduler(Options(_server, provider, size: 3));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? providerTag = null, kind = null;
            foreach (var t in tags)
            {
                if (t.Key == "promptops.batch.provider") providerTag = t.Value as string;
                else if (t.Key is "promptops.batch.outcome" or "promptops.batch.status") kind = t.Value as string;
            }

            var key = $"{instrument.Name}:{providerTag}:{kind}";
            lock (measured) measured[key] = measured.GetValueOrDefault(key) + value;
        });
        listener.Start();
        var (client, sink, _) = Pipeline(scheduler);
        var ok = client.GetResponseAsync(Ask("fine"), new ChatOptions().Deferrable());
        var flaky = client.GetResponseAsync(Ask("flaky"), new ChatOptions().Deferrable());
        var bad = client.GetResponseAsync(Ask("bad"), new ChatOptions().Deferrable());
        await scheduler.DrainAsync();

        Assert.Equal("answer to: fine", (await ok).Text);
        Assert.Equal("answer to: flaky", (await flaky).Text);
        var e = await Assert.ThrowsAsync<ProviderBatchItemException>(() => bad);
        Assert.Equal((ProviderBatchFailureKind.Errored, 1), (e.Failure, e.Attempts));
        Assert.Contains(provider == BatchProviderKind.OpenAI ? "400" : "invalid_request_error", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _server.BatchesCreated); // the flaky item again, alone
        Assert.Equal(1, scheduler.Statistics.ItemsRetried);
        lock (measured)
        {
            var name = provider == BatchProviderKind.Anthropic ? "anthropic" : "openai";
            Assert.Equal(3, measured.GetValueOrDefault($"promptops.batch.items:{name}:queued"));
            Assert.Equal(1, measured.GetValueOrDefault($"promptops.batch.items:{name}:retried"));
            Assert.Equal(2, measured.GetValueOrDefault($"promptops.batch.items:{name}:to_caller"));
            Assert.Equal(1, measured.GetValueOrDefault($"promptops.batch.items:{name}:failed"));
            Assert.Equal(2, measured.Where(m => m.Key.StartsWith($"promptops.batch.batches:{name}:", StringComparison.Ordinal)).Sum(m => m.Value));
        }
        Assert.Equal(1, sink.Snapshot().Count(r => r.Outcome == UsageOutcome.Failed));
    }

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task Items_of_an_expired_batch_are_submitted_again_and_answered(BatchProviderKind provider)
    {
        _server.Ending = n => n == 0 ? BatchEnding.Expire : BatchEnding.Complete;
        await using var scheduler = new ProviderBatchScheduler(Options(_server, provider, size: 6));
        var (client, _, _) = Pipeline(scheduler);
        var calls = Enumerable.Range(0, 6).Select(i => client.GetResponseAsync(Ask($"q{i}"), new ChatOptions().Deferrable())).ToList();
        await Waiting.UntilAsync(() => _server.BatchesCreated == 1, "the first batch");
        await scheduler.DrainAsync();

        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"answer to: q{i}"), (await Task.WhenAll(calls)).Select(a => a.Text));
        Assert.Equal(2, _server.BatchesCreated);
        Assert.Equal(3, _server.Submissions.Values.Count(n => n == 2)); // the expired half, once more
        Assert.All(_server.Answered.Values, n => Assert.Equal(1, n));
    }

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task Items_a_cancelled_batch_did_not_process_fail_as_cancelled_without_a_retry(BatchProviderKind provider)
    {
        _server.Ending = _ => BatchEnding.Cancel;
        await using var scheduler = new ProviderBatchScheduler(Options(_server, provider, size: 4));
        var (client, _, _) = Pipeline(scheduler);
        var calls = Enumerable.Range(0, 4).Select(i => client.GetResponseAsync(Ask($"q{i}"), new ChatOptions().Deferrable())).ToList();
        await scheduler.DrainAsync();

        Assert.Equal("answer to: q0", (await calls[0]).Text);
        Assert.Equal("answer to: q1", (await calls[1]).Text);
        foreach (var call in calls.Skip(2))
        {
            var e = await Assert.ThrowsAsync<ProviderBatchItemException>(() => call);
            Assert.Equal(ProviderBatchFailureKind.Cancelled, e.Failure);
        }

        Assert.Equal(1, _server.BatchesCreated);
    }

    [Fact]
    public async Task Retries_are_bounded_by_MaxItemAttempts()
    {
        _server.Ending = _ => BatchEnding.Fail;
        await using var scheduler = new ProviderBatchScheduler(Options(_server, BatchProviderKind.OpenAI, size: 2, attempts: 2));
        var (client, _, _) = Pipeline(scheduler);
        var calls = new[] { client.GetResponseAsync(Ask("x"), new ChatOptions().Deferrable()), client.GetResponseAsync(Ask("y"), new ChatOptions().Deferrable()) };
        await scheduler.DrainAsync();

        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<ProviderBatchItemException>(() => call);
            Assert.Equal((ProviderBatchFailureKind.BatchFailed, 2), (e.Failure, e.Attempts));
            Assert.Contains("invalid_json_line", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, _server.BatchesCreated);
        Assert.All(_server.Submissions.Values, n => Assert.Equal(2, n));
    }

    [Fact]
    public async Task A_caller_that_stops_waiting_gets_a_cancellation_and_its_result_goes_to_the_handler()
    {
        _server.ReleasedBelow = 0; // held
        var handler = new RecordingHandler();
        await using var scheduler = new ProviderBatchScheduler(Options(_server, BatchProviderKind.OpenAI, size: 2), handler: handler);
        var (client, _, _) = Pipeline(scheduler);
        using var cts = new CancellationTokenSource();
        var leaving = client.GetResponseAsync(Ask("leaving"), new ChatOptions().Deferrable("k-leaving"), cts.Token);
        var staying = client.GetResponseAsync(Ask("staying"), new ChatOptions().Deferrable("k-staying"));
        await Waiting.UntilAsync(() => _server.BatchesCreated == 1, "the batch");
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        _server.ReleasedBelow = int.MaxValue;
        await scheduler.DrainAsync();

        Assert.Equal("answer to: staying", (await staying).Text);
        var result = Assert.Single(handler.Results);
        Assert.Equal(("k-leaving", "answer to: leaving"), (result.Key, result.Response!.Text));
        Assert.Equal((1L, 1L), (scheduler.Statistics.DeliveredToCallers, scheduler.Statistics.DeliveredToHandler));
    }

    /// <summary>The system clock, recording the due time of every timer (Task.Delay with a TimeProvider creates one).</summary>
    private sealed class RecordingTime : TimeProvider
    {
        private readonly List<TimeSpan> _dueTimes = [];

        public IReadOnlyList<TimeSpan> DueTimes
        {
            get
            {
                lock (_dueTimes) return [.. _dueTimes];
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_dueTimes) _dueTimes.Add(dueTime);
            return System.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Fact]
    public async Task A_batch_in_progress_is_polled_with_exponential_back_off_up_to_the_longest_delay()
    {
        _server.ReleasedBelow = 0;
        var time = new RecordingTime();
        var options = Options(_server, BatchProviderKind.OpenAI, size: 1);
        (options.FirstPollDelay, options.MaxPollDelay) = (TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(16));
        await using var scheduler = new ProviderBatchScheduler(options, timeProvider: time);
        var call = scheduler.EnqueueAsync(Ask("q"), new ChatOptions().Deferrable());
        await Waiting.UntilAsync(() => _server.Polls >= 6, "six polls");
        _server.ReleasedBelow = int.MaxValue;
        Assert.Equal("answer to: q", (await call).Text);

        var polls = time.DueTimes.Select(d => d.TotalMilliseconds).Take(6);
        Assert.Equal([2d, 4, 8, 16, 16, 16], polls);
    }

    [Fact]
    public async Task A_deferrable_streaming_call_is_answered_as_one_update_with_its_usage()
    {
        await using var scheduler = new ProviderBatchScheduler(Options(_server, BatchProviderKind.OpenAI, size: 1));
        var (client, sink, _) = Pipeline(scheduler);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Ask("streamed"), new ChatOptions().Deferrable())) updates.Add(update);
        Assert.Equal("answer to: streamed", updates.ToChatResponse().Text);
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal((100L, 10L, true), (record.InputTokens, record.OutputTokens, record.Streaming));
        Assert.Equal(new PriceCatalog().Cost("gpt-4o-mini", 100, 0, 10, batch: true).Usd, record.CostUsd);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error()
    {
        var options = Options(_server, BatchProviderKind.OpenAI);
        options.MaxBatchSize = 0;
        options.MaxItemAttempts = 0;
        var e = Assert.Throws<ArgumentException>(() => new ProviderBatchScheduler(options));
        Assert.Contains("MaxBatchSize is 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxItemAttempts is 0", e.Message, StringComparison.Ordinal);

        var noModel = Options(_server, BatchProviderKind.OpenAI);
        noModel.DefaultModel = null;
        await using var scheduler = new ProviderBatchScheduler(noModel);
        await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.EnqueueAsync(Ask("x"), new ChatOptions().Deferrable()));
        var tools = new ChatOptions { ModelId = "gpt-4o-mini", Tools = [AIFunctionFactory.Create(() => 1, "one")] }.Deferrable();
        var refused = await Assert.ThrowsAsync<NotSupportedException>(() => scheduler.EnqueueAsync(Ask("x"), tools));
        Assert.Contains("tools", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _server.BatchesCreated);
    }

    [Fact]
    public void Deferrable_keeps_the_metadata_already_attached_and_leaves_pricing_to_whoever_answers()
    {
        // Not ProviderBatch: the batch rate applies when the batch answered (PromptOpsResponseFeatures.ProviderBatched); a
        // deferrable call made at once, without batching, is billed in full.
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "p", Task = "summary" }).Deferrable("key");
        var meta = options.GetPromptOps()!;
        Assert.Equal(("p", "summary", true, false, "key"), (meta.PromptId, meta.Task, meta.Deferrable, meta.ProviderBatch, meta.DeferralKey));
    }
}
