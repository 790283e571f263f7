using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Batching.Tests.Infrastructure;
using PromptOps.Routing.Batching;
using PromptOps.Routing.Batching.Sqlite;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Batching.Tests;

/// <summary>The SQLite store of batches (ledger schema 5): resume after a stop, delivered once, migration, registration.</summary>
public sealed class SqliteBatchStoreTests() : BatchServerTest("batching", createDirectory: false)
{
    private static List<ChatMessage> Ask(string text) => [new(ChatRole.User, text)];

    [Theory]
    [InlineData(BatchProviderKind.OpenAI)]
    [InlineData(BatchProviderKind.Anthropic)]
    public async Task A_submitted_batch_survives_the_scheduler_and_its_results_reach_the_handler_of_the_next_one_once(BatchProviderKind provider)
    {
        Server.ReleasedBelow = 0; // every batch stays in progress
        var options = ProviderBatchSchedulerTests.Options(Server, provider, size: 3);
        using (var store = new SqliteProviderBatchStore(Db))
        {
            var first = new ProviderBatchScheduler(options, store);
            var calls = Enumerable.Range(0, 3).Select(i => first.EnqueueAsync(Ask($"q{i}"), new ChatOptions().Deferrable($"k{i}"))).ToList();
            await Waiting.UntilAsync(() => Server.BatchesCreated == 1, "the batch submitted");
            await Waiting.UntilAsync(() => Scalar("SELECT count(*) FROM provider_batches WHERE provider_batch_id IS NOT NULL") == "1", "the provider's id stored");
            await first.DisposeAsync(); // the process stops: its callers stop waiting
            foreach (var call in calls) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 1"));
        Server.ReleasedBelow = int.MaxValue;
        var handler = new RecordingHandler();
        var ledger = new InMemoryUsageSink();
        using (var store = new SqliteProviderBatchStore(Db))
        {
            await using var second = new ProviderBatchScheduler(options, store, handler: handler, sinks: [ledger]);
            await second.ResumeAsync();
            await second.DrainAsync();
        }

        Assert.Equal(["k0:answer to: q0", "k1:answer to: q1", "k2:answer to: q2"], handler.Results.Select(r => $"{r.Key}:{r.Response!.Text}").Order());
        Assert.Equal(1, Server.BatchesCreated); // polled again, not submitted again
        Assert.Equal(3, ledger.Snapshot().Count(r => r.Outcome == UsageOutcome.Success && r.CostUsd > 0));
        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3 AND delivered_to = 'handler'"));
        Assert.Equal("1", Scalar("SELECT count(*) FROM provider_batches WHERE ended = 1"));

        // A third run finds nothing to deliver.
        using (var store = new SqliteProviderBatchStore(Db))
        {
            await using var third = new ProviderBatchScheduler(options, store, handler: handler);
            await third.ResumeAsync();
            await third.DrainAsync();
        }

        Assert.Equal(3, handler.Results.Count);
    }

    [Fact]
    public async Task Without_a_handler_a_result_stays_stored_until_a_resume_with_one()
    {
        var options = ProviderBatchSchedulerTests.Options(Server, BatchProviderKind.OpenAI, size: 1);
        using var store = new SqliteProviderBatchStore(Db);
        using var cts = new CancellationTokenSource();
        await using (var first = new ProviderBatchScheduler(options, store))
        {
            Server.ReleasedBelow = 0;
            var call = first.EnqueueAsync(Ask("q"), new ChatOptions().Deferrable("k"), cancellationToken: cts.Token);
            await Waiting.UntilAsync(() => Server.BatchesCreated == 1, "the batch");
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Server.ReleasedBelow = int.MaxValue;
            await first.DrainAsync();
            Assert.Equal(1, first.Statistics.Undelivered);
        }

        Assert.Equal("2", Scalar("SELECT state FROM provider_batch_items"));
        var handler = new RecordingHandler();
        await using var second = new ProviderBatchScheduler(options, store, handler: handler);
        await second.ResumeAsync();
        Assert.Equal("k", Assert.Single(handler.Results).Key);
        Assert.Equal("3", Scalar("SELECT state FROM provider_batch_items"));
    }

    [Fact]
    public async Task A_resume_submits_what_a_stopped_process_had_queued_or_had_not_yet_had_accepted()
    {
        var options = ProviderBatchSchedulerTests.Options(Server, BatchProviderKind.OpenAI, size: 10);
        using var store = new SqliteProviderBatchStore(Db);
        // What a process leaves when it stops after storing its calls: one item still queued, and two in a batch that it
        // stored but whose submission never got an answer (no provider id).
        ProviderBatchItem Item(string id, string text) => new()
        {
            Id = id, Provider = BatchProviderKind.OpenAI, Model = "gpt-4o-mini", Key = "key-" + id, CreatedAt = DateTimeOffset.UnixEpoch,
            RequestJson = $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{text}}"}]}""",
        };
        await store.AddItemAsync(Item("q1", "queued"), default);
        await store.AddItemAsync(Item("s1", "unsent one"), default);
        await store.AddItemAsync(Item("s2", "unsent two"), default);
        await store.AddBatchAsync(new ProviderBatchRecord { Id = "b-unsent", Provider = BatchProviderKind.OpenAI, ItemCount = 2 }, ["s1", "s2"], default);

        var handler = new RecordingHandler();
        await using var scheduler = new ProviderBatchScheduler(options, store, handler: handler);
        await scheduler.ResumeAsync();
        await scheduler.DrainAsync();

        Assert.Equal(["key-q1:answer to: queued", "key-s1:answer to: unsent one", "key-s2:answer to: unsent two"],
            handler.Results.Select(r => $"{r.Key}:{r.Response!.Text}").Order());
        Assert.Equal(2, Server.BatchesCreated); // the stored batch submitted as it was, the queued item in a new one
        Assert.Equal("3", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3 AND attempts = 1"));
    }

    [Fact]
    public async Task A_version_4_ledger_is_migrated_to_5_with_the_batch_tables_and_keeps_its_records()
    {
        await using (var sink = new SqliteUsageSink(Db))
        {
            sink.Record(new UsageRecord { Timestamp = DateTimeOffset.UnixEpoch, ModelId = "gpt-4o-mini", InputTokens = 1 });
        }

        using (var c = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "DROP TABLE provider_batch_items; DROP TABLE provider_batches; PRAGMA user_version = 4;";
            q.ExecuteNonQuery();
        }

        using (var store = new SqliteProviderBatchStore(Db))
        {
            Assert.Empty(await store.GetOpenBatchesAsync(default));
        }

        Assert.Equal("5", Scalar("PRAGMA user_version"));
        Assert.Equal("2", Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('provider_batches', 'provider_batch_items')"));
        Assert.Equal("1", Scalar("SELECT count(*) FROM usage_records"));
    }

    [Fact]
    public async Task The_store_changes_an_item_once_per_state()
    {
        using var store = new SqliteProviderBatchStore(Db);
        var item = new ProviderBatchItem { Id = "a", Provider = BatchProviderKind.OpenAI, Model = "m", RequestJson = "{}", CreatedAt = DateTimeOffset.UnixEpoch };
        await store.AddItemAsync(item, default);
        await store.AddBatchAsync(new ProviderBatchRecord { Id = "b1", Provider = BatchProviderKind.OpenAI, ItemCount = 1 }, ["a"], default);
        await store.CompleteItemsAsync("b1", [new ProviderBatchItemOutcome("a", "{\"x\":1}", null, null)], [], DateTimeOffset.UnixEpoch, default);
        // Repeated after a crash: the item is no longer Submitted in b1, so nothing changes.
        await store.CompleteItemsAsync("b1", [new ProviderBatchItemOutcome("a", null, "late", ProviderBatchFailureKind.Errored)], [], DateTimeOffset.UnixEpoch, default);
        var completed = Assert.Single(await store.GetItemsAsync(ProviderBatchItemState.Completed, null, default));
        Assert.Equal(("{\"x\":1}", null, 1, "b1"), (completed.ResultJson, completed.Failure, completed.Attempts, completed.BatchId));
        Assert.True(await store.MarkDeliveredAsync("a", "caller", DateTimeOffset.UnixEpoch, default));
        Assert.False(await store.MarkDeliveredAsync("a", "handler", DateTimeOffset.UnixEpoch, default));
        Assert.Equal("caller", Scalar("SELECT delivered_to FROM provider_batch_items"));
    }

    [Fact]
    public async Task AddPromptOpsBatching_binds_its_options_from_configuration()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromptOps:Batching:Provider"] = "Anthropic",
            ["PromptOps:Batching:BaseAddress"] = Server.BaseAddress.ToString(),
            ["PromptOps:Batching:ApiKey"] = BatchApiServer.ApiKey,
            ["PromptOps:Batching:MaxBatchSize"] = "1",
            ["PromptOps:Batching:FirstPollDelay"] = "00:00:00.005",
            ["PromptOps:Batching:MaxPollDelay"] = "00:00:00.020",
            ["PromptOps:Batching:DefaultModel"] = "claude-haiku-4-5",
        }).Build();
        var services = new ServiceCollection();
        services.AddPromptOpsBatching(configuration.GetSection("PromptOps:Batching"), o => o.MaxItemAttempts = 2);
        await using var provider = services.BuildServiceProvider();
        var scheduler = provider.GetRequiredService<ProviderBatchScheduler>();
        Assert.Equal("answer to: hello", (await scheduler.EnqueueAsync(Ask("hello"), new ChatOptions().Deferrable())).Text);
        Assert.Equal(1, Server.BatchesCreated);

        var bad = new ServiceCollection().AddPromptOpsBatching(o => o.MaxPollDelay = TimeSpan.Zero).BuildServiceProvider();
        var e = Assert.Throws<ArgumentException>(() => bad.GetRequiredService<ProviderBatchScheduler>());
        Assert.Contains("MaxPollDelay", e.Message, StringComparison.Ordinal);
        await bad.DisposeAsync();
    }

    [Fact]
    public async Task AddPromptOpsBatching_with_the_sqlite_store_puts_deferrable_calls_of_UsePromptOps_into_batches()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(o =>
        {
            o.Cache.Enabled = false;
            o.Ledger.SqlitePath = Db;
        });
        services.AddPromptOpsSqliteLedger();
        services.AddPromptOpsBatching(o =>
        {
            var t = ProviderBatchSchedulerTests.Options(Server, BatchProviderKind.OpenAI, size: 2);
            (o.BaseAddress, o.ApiKey, o.MaxBatchSize, o.FirstPollDelay, o.MaxPollDelay) = (t.BaseAddress, t.ApiKey, t.MaxBatchSize, t.FirstPollDelay, t.MaxPollDelay);
        });
        services.AddPromptOpsSqliteBatchStore();
        await using var provider = services.BuildServiceProvider();
        var direct = new DirectChatClient();
        var client = direct.AsBuilder().UsePromptOps().Build(provider);
        var options = new ChatOptions { ModelId = "gpt-4o-mini" };
        var answers = await Task.WhenAll(
            client.GetResponseAsync(Ask("one"), options.Clone().Deferrable()),
            client.GetResponseAsync(Ask("two"), options.Clone().Deferrable()));
        Assert.Equal(["answer to: one", "answer to: two"], answers.Select(a => a.Text));
        Assert.Equal("direct", (await client.GetResponseAsync(Ask("three"), options.Clone())).Text);
        Assert.Equal(1, direct.Calls);
        Assert.IsType<SqliteProviderBatchStore>(provider.GetRequiredService<IProviderBatchStore>());
        Assert.Equal("2", Scalar("SELECT count(*) FROM provider_batch_items WHERE state = 3"));
    }
}
