using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PromptOps.Batching.Tests.Infrastructure;
using PromptOps.Routing.Batching;
using PromptOps.Routing.Batching.Sqlite;

namespace PromptOps.Batching.Tests;

/// <summary>
/// The hosted service <c>AddPromptOpsBatching</c> registers (issue #18): a generic host resumes what an earlier host left in
/// the SQLite store without any <c>ResumeAsync</c> call of the application's, starts without waiting for that resume, and
/// stops without losing what it had queued or submitted.
/// </summary>
public sealed class HostedBatchingTests() : BatchServerTest("hosted-batching")
{
    /// <summary>A hang guard for host start and stop only; nothing is asserted about time.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static List<ChatMessage> Ask(string text) => [new(ChatRole.User, text)];

    /// <summary>An application's host: batching with the SQLite store (or <paramref name="store"/>) and, when given, a results handler.</summary>
    private IHost Host(BatchProviderKind provider, int size, IProviderBatchResultHandler? handler = null, IProviderBatchStore? store = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var t = ProviderBatchSchedulerTests.Options(Server, provider, size);
        builder.Services.AddPromptOpsBatching(o =>
        {
            (o.Provider, o.BaseAddress, o.ApiKey, o.DefaultModel) = (t.Provider, t.BaseAddress, t.ApiKey, t.DefaultModel);
            (o.MaxBatchSize, o.MaxBatchAge, o.FirstPollDelay, o.MaxPollDelay) = (t.MaxBatchSize, t.MaxBatchAge, t.FirstPollDelay, t.MaxPollDelay);
        });
        if (store is null) builder.Services.AddPromptOpsSqliteBatchStore(Db);
        else builder.Services.AddSingleton(store);
        if (handler is not null) builder.Services.AddSingleton(handler);
        return builder.Build();
    }

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task Items_stored_by_one_host_are_delivered_by_a_host_started_later_without_a_call_to_ResumeAsync(BatchProviderKind provider)
    {
        Server.ReleasedBelow = 0; // the submitted batch stays in progress while the first host runs
        using (var first = Host(provider, size: 3))
        {
            await first.StartAsync().WaitAsync(HangGuard);
            var scheduler = first.Services.GetRequiredService<ProviderBatchScheduler>();
            var calls = Enumerable.Range(0, 3).Select(i => scheduler.EnqueueAsync(Ask($"q{i}"), new ChatOptions().Deferrable($"k{i}"))).ToList();
            await Waiting.UntilAsync(() => Scalar("SELECT count(*) FROM provider_batches WHERE provider_batch_id IS NOT NULL") == "1", "the provider's id stored");
            await first.StopAsync().WaitAsync(HangGuard);
            foreach (var call in calls) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 1")); // still submitted, nothing lost
        Server.ReleasedBelow = int.MaxValue;
        var handler = new RecordingHandler();
        using (var second = Host(provider, size: 3, handler))
        {
            await second.StartAsync().WaitAsync(HangGuard); // no ResumeAsync anywhere in this test
            await Waiting.UntilAsync(() => handler.Results.Count == 3, "the second host's handler receives the three results");
            await second.StopAsync().WaitAsync(HangGuard);
        }

        Assert.Equal(["k0:answer to: q0", "k1:answer to: q1", "k2:answer to: q2"], handler.Results.Select(r => $"{r.Key}:{r.Response!.Text}").Order());
        Assert.Equal(1, Server.BatchesCreated); // polled again by the second host, not submitted again
        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3 AND delivered_to = 'handler'"));
    }

    [Fact]
    public async Task Stopping_the_host_keeps_what_was_queued_in_the_store_and_the_next_host_sends_it()
    {
        Server.ReleasedBelow = 0;
        using (var first = Host(BatchProviderKind.OpenAI, size: 2))
        {
            await first.StartAsync().WaitAsync(HangGuard);
            var scheduler = first.Services.GetRequiredService<ProviderBatchScheduler>();
            // Two items fill a batch (submitted, held by the server); the third waits in the queue for ten minutes.
            var calls = Enumerable.Range(0, 3).Select(i => scheduler.EnqueueAsync(Ask($"q{i}"), new ChatOptions().Deferrable($"k{i}"))).ToList();
            await Waiting.UntilAsync(() => Scalar("SELECT count(*) FROM provider_batches WHERE provider_batch_id IS NOT NULL") == "1", "the full batch submitted");
            await Waiting.UntilAsync(() => Scalar("SELECT count(*) FROM provider_batch_items") == "3", "the three items stored");
            await first.StopAsync().WaitAsync(HangGuard);
            foreach (var call in calls) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => scheduler.EnqueueAsync(Ask("late"), new ChatOptions().Deferrable("late")));
            Assert.Contains("stopped", refused.Message, StringComparison.Ordinal);
        }

        // Stopping submitted nothing more: the queued item is in the store, queued.
        Assert.Equal(1, Server.BatchesCreated);
        Assert.Equal("2", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 1"));
        Assert.Equal("1", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 0"));

        Server.ReleasedBelow = int.MaxValue;
        var handler = new RecordingHandler();
        using (var second = Host(BatchProviderKind.OpenAI, size: 1, handler))
        {
            await second.StartAsync().WaitAsync(HangGuard);
            await Waiting.UntilAsync(() => handler.Results.Count == 3, "the second host's handler receives the three results");
            await second.StopAsync().WaitAsync(HangGuard);
        }

        Assert.Equal(["k0:answer to: q0", "k1:answer to: q1", "k2:answer to: q2"], handler.Results.Select(r => $"{r.Key}:{r.Response!.Text}").Order());
        Assert.Equal(2, Server.BatchesCreated); // the held batch polled again, the queued item in a batch of its own
        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3 AND delivered_to = 'handler'"));
        Assert.All(Server.Answered.Values, n => Assert.Equal(1, n)); // each item answered once by the provider
    }

    [Fact]
    public async Task A_resume_that_fails_at_start_up_is_tried_again_and_delivers_what_it_had_claimed()
    {
        // Stored by an earlier run: a result it received but never delivered (it died in between) and a call still queued.
        using (var store = new SqliteProviderBatchStore(Db))
        {
            await store.AddItemAsync(Item("done", "answered before"), default);
            await store.AddBatchAsync(new ProviderBatchRecord { Id = "b-old", Provider = BatchProviderKind.OpenAI, ProviderBatchId = "batch_old", ItemCount = 1 }, ["done"], default);
            await store.CompleteItemsAsync("b-old", [new ProviderBatchItemOutcome("done", CompletionJson("stored answer"), null, null)], [], DateTimeOffset.UnixEpoch, default);
            await store.UpdateBatchAsync(new ProviderBatchRecord { Id = "b-old", Provider = BatchProviderKind.OpenAI, ProviderBatchId = "batch_old", ItemCount = 1, Status = "completed", Ended = true }, default);
            await store.AddItemAsync(Item("waiting", "from before"), default);
        }

        // The store fails twice right after the resume claimed the undelivered result (the second read of the resume).
        using var flaky = new FlakyStore(new SqliteProviderBatchStore(Db), failOpenBatchReads: 2);
        var handler = new RecordingHandler();
        using var host = Host(BatchProviderKind.OpenAI, size: 1, handler, flaky);
        await host.StartAsync().WaitAsync(HangGuard);
        await Waiting.UntilAsync(() => handler.Results.Count == 2, "both stored items reach the handler after the failed resumes");
        await host.StopAsync().WaitAsync(HangGuard);

        Assert.Equal(3, flaky.OpenBatchReads); // two failures, then the resume that worked
        Assert.Equal(["done:stored answer", "waiting:answer to: from before"], handler.Results.Select(r => $"{r.Key}:{r.Response!.Text}").Order());
        Assert.Equal("2", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3 AND delivered_to = 'handler'"));

        static ProviderBatchItem Item(string key, string text) => new()
        {
            Id = key, Provider = BatchProviderKind.OpenAI, Model = "gpt-4o-mini", Key = key, CreatedAt = DateTimeOffset.UnixEpoch,
            RequestJson = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}]}""",
        };

        static string CompletionJson(string text) =>
            $$$"""{"id":"chatcmpl-old","object":"chat.completion","created":0,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}""";
    }

    [Fact]
    public async Task The_host_starts_without_waiting_for_the_resume_of_stored_batches()
    {
        using (var store = new SqliteProviderBatchStore(Db))
        {
            await store.AddItemAsync(new ProviderBatchItem
            {
                Id = "q1", Provider = BatchProviderKind.OpenAI, Model = "gpt-4o-mini", Key = "stored", CreatedAt = DateTimeOffset.UnixEpoch,
                RequestJson = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"from before"}]}""",
            }, default);
        }

        using var gated = new GatedStore(new SqliteProviderBatchStore(Db));
        var handler = new RecordingHandler();
        using var host = Host(BatchProviderKind.OpenAI, size: 1, handler, gated);
        await host.StartAsync().WaitAsync(HangGuard); // returns while the resume is held at the store
        await Waiting.UntilAsync(() => gated.Waiting, "the resume reading the store");
        Assert.Empty(handler.Results);
        Assert.Equal(0, Server.BatchesCreated);

        gated.Open();
        await Waiting.UntilAsync(() => handler.Results.Count == 1, "the stored item's result");
        Assert.Equal("stored:answer to: from before", $"{handler.Results[0].Key}:{handler.Results[0].Response!.Text}");
        await host.StopAsync().WaitAsync(HangGuard);
    }

    [Fact]
    public async Task A_resume_that_read_a_result_before_its_caller_got_it_does_not_hand_it_to_the_handler_too()
    {
        // The hosted service resumes while calls are answered. Here the resume reads the stored results while this
        // scheduler's own caller is about to get one (its delivery is held), and goes on only after the caller got it.
        var options = ProviderBatchSchedulerTests.Options(Server, BatchProviderKind.OpenAI, size: 1);
        using var store = new GatedStore(new InMemoryProviderBatchStore(), holdAfterResultsRead: true);
        var handler = new RecordingHandler();
        await using var scheduler = new ProviderBatchScheduler(options, store, handler: handler);
        var call = scheduler.EnqueueAsync(Ask("one"), new ChatOptions().Deferrable("k1"));
        await Waiting.UntilAsync(() => store.DeliveryHeld, "the caller's delivery under way");
        var resume = scheduler.ResumeAsync();
        await Waiting.UntilAsync(() => store.Waiting, "the resume holding the result it read");
        store.ReleaseDelivery();
        Assert.Equal("answer to: one", (await call).Text);

        store.Open();
        await resume;
        await scheduler.DrainAsync();

        Assert.Empty(handler.Results); // delivered once: to its caller
        Assert.Equal((1, 0), (scheduler.Statistics.DeliveredToCallers, scheduler.Statistics.DeliveredToHandler));
    }

    /// <summary>A store whose reads of the open batches fail the first <c>failOpenBatchReads</c> times (the store unreachable at start-up).</summary>
    private sealed class FlakyStore(IProviderBatchStore inner, int failOpenBatchReads) : DelegatingBatchStore(inner)
    {
        private int _openBatchReads;

        public int OpenBatchReads => Volatile.Read(ref _openBatchReads);

        public override ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _openBatchReads) <= failOpenBatchReads
                ? throw new InvalidOperationException("the batch store cannot be reached (injected)")
                : Inner.GetOpenBatchesAsync(cancellationToken);
    }

    /// <summary>
    /// A store whose reads wait until <see cref="Open"/>: holds a resume at its first step; or (<c>holdAfterResultsRead</c>)
    /// holds a resume after it read the stored results, with what it read, and each delivery until <see cref="ReleaseDelivery"/>.
    /// </summary>
    private sealed class GatedStore(IProviderBatchStore inner, bool holdAfterResultsRead = false) : DelegatingBatchStore(inner)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _deliveries = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting, _deliveryHeld;

        public bool Waiting => Volatile.Read(ref _waiting) > 0;

        public bool DeliveryHeld => Volatile.Read(ref _deliveryHeld) > 0;

        public void Open() => _gate.TrySetResult();

        public void ReleaseDelivery() => _deliveries.TrySetResult();

        public override async ValueTask<bool> MarkDeliveredAsync(string itemId, string deliveredTo, DateTimeOffset at, CancellationToken cancellationToken)
        {
            if (holdAfterResultsRead)
            {
                Interlocked.Increment(ref _deliveryHeld);
                await _deliveries.Task.WaitAsync(cancellationToken);
            }

            return await Inner.MarkDeliveredAsync(itemId, deliveredTo, at, cancellationToken);
        }

        public override async ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken)
        {
            if (!holdAfterResultsRead) await WaitAsync(cancellationToken);
            return await Inner.GetOpenBatchesAsync(cancellationToken);
        }

        public override async ValueTask<IReadOnlyList<ProviderBatchItem>> GetItemsAsync(ProviderBatchItemState state, string? batchId, CancellationToken cancellationToken)
        {
            if (!holdAfterResultsRead)
            {
                await WaitAsync(cancellationToken);
                return await Inner.GetItemsAsync(state, batchId, cancellationToken);
            }

            var read = await Inner.GetItemsAsync(state, batchId, cancellationToken);
            if (state == ProviderBatchItemState.Completed && batchId is null) await WaitAsync(cancellationToken);
            return read;
        }

        private async Task WaitAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _waiting);
            await _gate.Task.WaitAsync(cancellationToken);
        }
    }
}
