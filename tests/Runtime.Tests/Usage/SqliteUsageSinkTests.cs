using PromptOps.Budgets;
using System.Diagnostics.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Caching;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Tests.Usage;

public sealed class SqliteUsageSinkTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PromptOpsMetrics _metrics;

    public SqliteUsageSinkTests()
    {
        _metrics = new PromptOpsMetrics(_services.GetRequiredService<IMeterFactory>());
    }

    private string Db => Path.Combine(_dir, "ledger.db");

    public void Dispose()
    {
        _services.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static UsageRecord Rec(int i, string? user = "u") => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch.AddDays(20_000).AddSeconds(i),
        UserId = user,
        ModelId = "gpt-4o-mini",
        InputTokens = i,
        OutputTokens = 1,
        CostUsd = i * 0.000001m,
        IsPriced = true,
    };

    private SqliteUsageSink Sink(int capacity = 65_536, int batch = 1_000, LedgerOverflowPolicy policy = LedgerOverflowPolicy.DropNewest, ILogger<SqliteUsageSink>? logger = null) =>
        new(new LedgerOptions { SqlitePath = Db, QueueCapacity = capacity, BatchSize = batch, OverflowPolicy = policy }, _metrics, logger: logger);

    /// <summary>Holds SQLite's write lock from another connection, so the sink's writer blocks on its next batch.</summary>
    private SqliteConnection LockForWriting()
    {
        var connection = new SqliteConnection($"Data Source={Db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "BEGIN EXCLUSIVE";
        command.ExecuteNonQuery();
        return connection;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 2_000 && !condition(); i++) await Task.Delay(5);
        Assert.True(condition(), "the condition did not become true within 10 s");
    }

    [Fact]
    public async Task The_truncated_flag_is_persisted_with_the_other_flags()
    {
        await using (var sink = Sink())
        {
            sink.Record(Rec(1) with { Anomalies = UsageAnomalies.Truncated });
            sink.Record(Rec(2) with { Anomalies = UsageAnomalies.Truncated | UsageAnomalies.TokensClamped });
            sink.Record(Rec(3));
        }

        Assert.Equal(
            [UsageAnomalies.Truncated, UsageAnomalies.Truncated | UsageAnomalies.TokensClamped, UsageAnomalies.None],
            SqliteLedgerReader.Read(Db).Select(r => r.Anomalies));
    }

    [Fact]
    public async Task Every_field_round_trips_through_the_file_exactly()
    {
        var full = new UsageRecord
        {
            Timestamp = new DateTimeOffset(2026, 3, 1, 9, 30, 15, 123, TimeSpan.Zero),
            PromptId = "Tickets.Classify",
            PromptVersion = "v1",
            Task = "classification",
            Endpoint = "POST /tickets",
            UserId = "alice",
            ModelId = "gpt-4o",
            Tier = "fast_cheap",
            InputTokens = 10_000,
            CachedInputTokens = 8_000,
            OutputTokens = 100,
            CostUsd = 0.016m,
            CostSavedUsd = 0.0000001875m,
            CacheLayer = CacheLayer.Distributed,
            Latency = TimeSpan.FromMicroseconds(1_234_567),
            Outcome = UsageOutcome.Refused,
            ErrorType = "PromptOps.Budgets.PromptOpsLimitException",
            LimitName = "budget.daily",
            Streaming = true,
            IsPriced = true,
            Anomalies = UsageAnomalies.TokensClamped,
            TenantId = "acme",
            ConversationId = "chat-42",
        };
        var sparse = new UsageRecord { Timestamp = full.Timestamp.AddMinutes(1), CostUsd = null, CostSavedUsd = null };

        await using (var sink = Sink())
        {
            sink.Record(full);
            sink.Record(sparse);
        }

        var read = SqliteLedgerReader.Read(Db).ToList();
        Assert.Equal([full, sparse], read);

        // Both ways of reading a row: SQLite's column functions called directly (what Read uses here) and SQLitePCLRaw's.
        Assert.True(SqliteLedgerReader.DirectColumnAccess, "the e_sqlite3 column functions should load on this platform");
        Assert.Equal([full, sparse], SqliteLedgerReader.ReadForTests(Db, direct: true).ToList());
        Assert.Equal([full, sparse], SqliteLedgerReader.ReadForTests(Db, direct: false).ToList());
    }

    [Fact]
    public async Task Empty_strings_are_stored_as_null()
    {
        await using (var sink = Sink())
        {
            sink.Record(Rec(1) with { UserId = "", Endpoint = "", ModelId = "gpt-4o" });
        }

        var read = Assert.Single(SqliteLedgerReader.Read(Db));
        Assert.Equal((null, null, "gpt-4o"), (read.UserId, read.Endpoint, read.ModelId));
    }

    [Fact]
    public async Task DisposeAsync_writes_everything_queued_nothing_is_lost()
    {
        var sink = Sink(batch: 64);
        for (var i = 0; i < 10_000; i++) sink.Record(Rec(i));
        await sink.DisposeAsync();

        Assert.Equal(10_000, SqliteLedgerReader.Count(Db));
        Assert.Equal(10_000, sink.Written);
        Assert.Equal(0, sink.Dropped);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (long)i), SqliteLedgerReader.Read(Db).Select(r => r.InputTokens));
    }

    [Fact]
    public async Task Dispose_writes_everything_queued_too()
    {
        var sink = Sink(batch: 10);
        var writers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2_500; i++) sink.Record(Rec((t * 2_500) + i));
        })).ToArray();
        await Task.WhenAll(writers);
        sink.Dispose();

        Assert.Equal(10_000, SqliteLedgerReader.Count(Db));
    }

    [Fact]
    public async Task FlushAsync_makes_queued_records_readable_while_the_sink_stays_open()
    {
        await using var sink = Sink();
        for (var i = 0; i < 500; i++) sink.Record(Rec(i));
        await sink.FlushAsync();

        Assert.Equal(500, SqliteLedgerReader.Count(Db)); // a reader next to the open writer (WAL)
        sink.Record(Rec(500));
        await sink.FlushAsync();
        Assert.Equal(501, SqliteLedgerReader.Read(Db).Count());
    }

    [Fact]
    public async Task A_full_queue_drops_the_new_record_counts_it_and_logs_a_warning()
    {
        using var dropped = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), PromptOpsMetrics.MeterName, "promptops.ledger.dropped");
        var logger = new FakeLogger<SqliteUsageSink>();
        var sink = Sink(capacity: 4, batch: 1, logger: logger);
        using (LockForWriting())
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0); // the writer holds record 0 and waits for the lock
            for (var i = 1; i <= 7; i++) sink.Record(Rec(i)); // 1–4 fill the queue, 5–7 are dropped
            Assert.Equal(3, sink.Dropped);
        }

        await sink.DisposeAsync();
        Assert.Equal([0L, 1, 2, 3, 4], SqliteLedgerReader.Read(Db).Select(r => r.InputTokens));
        Assert.Equal(3, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(dropped.GetMeasurementSnapshot(), m => Assert.Equal("queue_full", m.Tags["promptops.ledger.reason"]));
        var warning = Assert.Single(logger.Collector.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Id.Id == 2101);
        Assert.Contains("QueueCapacity", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_drop_is_counted_each_warning_reports_the_drops_since_the_last_and_dispose_logs_the_total()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var logger = new FakeLogger<SqliteUsageSink>();
        var sink = new SqliteUsageSink(new LedgerOptions { SqlitePath = Db, QueueCapacity = 4, BatchSize = 1 }, _metrics, time, logger);
        using (LockForWriting())
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0); // the writer holds record 0 and waits for the lock
            for (var i = 1; i <= 4; i++) sink.Record(Rec(i)); // the queue is full
            for (var i = 0; i < 500; i++) sink.Record(Rec(100 + i)); // 500 dropped: the first is logged at once, 499 wait
            time.Advance(TimeSpan.FromSeconds(9));
            sink.Record(Rec(1_000)); // still inside the 10 s: counted, not logged
            time.Advance(TimeSpan.FromSeconds(2));
            sink.Record(Rec(1_001)); // 11 s after the first warning: reports 499 + 1 + 1
            for (var i = 0; i < 7; i++) sink.Record(Rec(2_000 + i)); // reported at dispose only
            Assert.Equal(509, sink.Dropped);
        }

        await sink.DisposeAsync();
        Assert.Equal(5, SqliteLedgerReader.Count(Db));
        var warnings = logger.Collector.GetSnapshot().Where(l => l.Id.Id == 2101).ToList();
        Assert.Equal(["1", "501"], warnings.Select(w => w.GetStructuredStateValue("Count")));
        Assert.Equal(["1", "502"], warnings.Select(w => w.GetStructuredStateValue("Total")));
        var total = Assert.Single(logger.Collector.GetSnapshot(), l => l.Id.Id == 2103);
        Assert.Equal(LogLevel.Warning, total.Level);
        Assert.Equal("509", total.GetStructuredStateValue("Total"));
        Assert.Equal("7", total.GetStructuredStateValue("Unreported"));
        Assert.Contains(Db, total.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_drops_are_counted_exactly()
    {
        var logger = new FakeLogger<SqliteUsageSink>();
        var sink = new SqliteUsageSink(new LedgerOptions { SqlitePath = Db, QueueCapacity = 1, BatchSize = 1 }, _metrics, new FakeTimeProvider(), logger);
        using (LockForWriting())
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0);
            sink.Record(Rec(1)); // the queue is full from here on
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 25_000; i++) sink.Record(Rec(i));
            })));
        }

        await sink.DisposeAsync();
        Assert.Equal(100_000, sink.Dropped);
        Assert.Equal(2, SqliteLedgerReader.Count(Db));
        var logged = logger.Collector.GetSnapshot().Where(l => l.Id.Id == 2101).Sum(l => long.Parse(l.GetStructuredStateValue("Count")!, System.Globalization.CultureInfo.InvariantCulture));
        var total = Assert.Single(logger.Collector.GetSnapshot(), l => l.Id.Id == 2103);
        Assert.Equal("100000", total.GetStructuredStateValue("Total"));
        Assert.Equal(100_000, logged + long.Parse(total.GetStructuredStateValue("Unreported")!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task BlockWhenFull_from_configuration_waits_for_room_and_loses_nothing()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(
        [
            new("PromptOps:Ledger:SqlitePath", Db), new("PromptOps:Ledger:BlockWhenFull", "true"),
            new("PromptOps:Ledger:QueueCapacity", "2"), new("PromptOps:Ledger:BatchSize", "1"),
        ]).Build();
        using var provider = new ServiceCollection().AddPromptOps(config.GetSection("PromptOps")).AddPromptOpsSqliteLedger().BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Ledger;
        Assert.True(options.BlockWhenFull);
        Assert.Equal(LedgerOverflowPolicy.Wait, options.EffectiveOverflowPolicy);

        var sink = new SqliteUsageSink(options, _metrics);
        Task[] writers;
        using (LockForWriting()) // the gate: the writer cannot commit until it is released
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0);
            writers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 10; i++) sink.Record(Rec(1 + (t * 10) + i));
            })).ToArray();
            await WaitUntil(() => sink.Pending == 2); // the queue is full: the writers wait instead of dropping
            Assert.All(writers, w => Assert.False(w.IsCompleted));
            Assert.Equal(0, sink.Dropped);
        }

        await Task.WhenAll(writers);
        await sink.DisposeAsync();
        Assert.Equal(0, sink.Dropped);
        Assert.Equal(41, SqliteLedgerReader.Count(Db));
        Assert.Equal(Enumerable.Range(0, 41).Select(i => (long)i), SqliteLedgerReader.Read(Db).Select(r => r.InputTokens).Order());

        var conflicting = new LedgerOptions { BlockWhenFull = true, OverflowPolicy = LedgerOverflowPolicy.DropOldest };
        Assert.Contains(conflicting.GetErrors(), e => e.Contains("BlockWhenFull", StringComparison.Ordinal) && e.Contains("DropOldest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DropOldest_keeps_the_newest_records()
    {
        var sink = Sink(capacity: 4, batch: 1, policy: LedgerOverflowPolicy.DropOldest);
        using (LockForWriting())
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0);
            for (var i = 1; i <= 7; i++) sink.Record(Rec(i)); // 1–3 are pushed out by 5–7
            Assert.Equal(3, sink.Dropped);
        }

        await sink.FlushAsync(); // dropped records count as done: this returns
        await sink.DisposeAsync();
        Assert.Equal([0L, 4, 5, 6, 7], SqliteLedgerReader.Read(Db).Select(r => r.InputTokens));
    }

    [Fact]
    public async Task The_Wait_policy_loses_nothing_when_the_queue_is_full()
    {
        var sink = Sink(capacity: 2, batch: 1, policy: LedgerOverflowPolicy.Wait);
        Task[] writers;
        using (LockForWriting())
        {
            sink.Record(Rec(0));
            await WaitUntil(() => sink.Pending == 0);
            writers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 10; i++) sink.Record(Rec(1 + (t * 10) + i));
            })).ToArray();
            await WaitUntil(() => sink.Pending == 2); // the queue is full; the writers wait
        }

        await Task.WhenAll(writers);
        await sink.DisposeAsync();
        Assert.Equal(0, sink.Dropped);
        Assert.Equal(41, SqliteLedgerReader.Count(Db));
    }

    [Fact]
    public async Task A_batch_the_database_refuses_is_logged_counted_and_the_writer_goes_on()
    {
        var logger = new FakeLogger<SqliteUsageSink>();
        await using var sink = Sink(logger: logger);
        sink.Record(Rec(0));
        await sink.FlushAsync();
        using (var other = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            other.Open();
            using var rename = other.CreateCommand();
            rename.CommandText = "ALTER TABLE usage_records RENAME TO moved";
            rename.ExecuteNonQuery();
        }

        sink.Record(Rec(1));
        await sink.FlushAsync(); // returns: the failed batch is done

        Assert.Equal(1, sink.Dropped);
        Assert.Equal(1, sink.Written);
        var error = Assert.Single(logger.Collector.GetSnapshot(), l => l.Level == LogLevel.Error);
        Assert.Equal(2102, error.Id.Id);

        using (var other = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            other.Open();
            using var back = other.CreateCommand();
            back.CommandText = "ALTER TABLE moved RENAME TO usage_records";
            back.ExecuteNonQuery();
        }

        sink.Record(Rec(2));
        await sink.FlushAsync();
        Assert.Equal(2, sink.Written); // the writer survived the failure
    }

    [Fact]
    public async Task Records_after_dispose_are_counted_as_dropped_not_thrown()
    {
        var sink = Sink();
        await sink.DisposeAsync();
        sink.Record(Rec(0));
        Assert.Equal(1, sink.Dropped);
        await sink.DisposeAsync(); // idempotent
        sink.Dispose();
    }

    [Fact]
    public async Task The_file_is_a_versioned_WAL_database_with_a_readable_view()
    {
        await using (var sink = Sink())
        {
            sink.Record(Rec(5) with { CostUsd = 1.5m, Outcome = UsageOutcome.Refused, CacheLayer = CacheLayer.Memory });
        }

        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        string Scalar(string sql)
        {
            using var c = connection.CreateCommand();
            c.CommandText = sql;
            return Convert.ToString(c.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
        }

        Assert.Equal("5", Scalar("PRAGMA user_version"));
        Assert.Equal(SqliteLedgerSchema.ApplicationId.ToString(System.Globalization.CultureInfo.InvariantCulture), Scalar("PRAGMA application_id"));
        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
        Assert.Equal("1500000000000", Scalar("SELECT cost_pusd FROM usage_records"));
        Assert.Equal("1.5|refused|memory", Scalar("SELECT cost_usd || '|' || outcome || '|' || cache_layer FROM usage"));
    }

    [Fact]
    public void A_foreign_or_newer_file_is_refused_with_a_clear_error()
    {
        Directory.CreateDirectory(_dir);
        var foreign = Path.Combine(_dir, "foreign.db");
        using (var c = new SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE t (x INTEGER)";
            cmd.ExecuteNonQuery();
        }

        var e = Assert.Throws<InvalidDataException>(() => new SqliteUsageSink(foreign));
        Assert.Contains("not a PromptOps ledger", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => SqliteLedgerReader.Read(foreign).ToList());

        using (var sink = new SqliteUsageSink(Db))
        {
        }

        using (var c = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 6";
            cmd.ExecuteNonQuery();
        }

        var newer = Assert.Throws<InvalidDataException>(() => new SqliteUsageSink(Db));
        Assert.Contains("schema version 6", newer.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => SqliteLedgerReader.Read(Path.Combine(_dir, "missing.db")).ToList());
    }

    /// <summary>The columns of a version-1 ledger (every later version adds to them).</summary>
    private const string Version1Columns = """
        id INTEGER PRIMARY KEY, timestamp_ms INTEGER NOT NULL, prompt_id TEXT, prompt_version TEXT, task TEXT,
        endpoint TEXT, user_id TEXT, model TEXT, tier TEXT, input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL, cost_pusd INTEGER, cost_saved_pusd INTEGER, cache_layer INTEGER NOT NULL, latency_us INTEGER NOT NULL,
        outcome INTEGER NOT NULL, error_type TEXT, limit_name TEXT, streaming INTEGER NOT NULL, priced INTEGER NOT NULL
        """;

    /// <summary>Writes a ledger as an earlier PromptOps left it (<paramref name="sql"/> creates it).</summary>
    private void WriteOldLedger(string sql)
    {
        Directory.CreateDirectory(_dir);
        using var c = new SqliteConnection($"Data Source={Db};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public async Task A_version_1_ledger_stays_readable_and_is_migrated_when_opened_for_writing()
    {
        // A ledger written by the previous PromptOps: schema version 1, no anomalies column.
        WriteOldLedger($"""
            CREATE TABLE usage_records ({Version1Columns});
            CREATE INDEX ix_usage_records_timestamp ON usage_records (timestamp_ms);
            CREATE VIEW usage AS SELECT id, input_tokens FROM usage_records;
            INSERT INTO usage_records (timestamp_ms, user_id, model, input_tokens, cached_input_tokens, output_tokens, cost_pusd, cache_layer, latency_us, outcome, streaming, priced)
                VALUES (1000, 'old', 'gpt-4o', 7, 0, 1, 5, 0, 10, 0, 0, 1);
            PRAGMA application_id = 1347374151;
            PRAGMA user_version = 1;
            """);

        // Read as it is (read-only: not migrated), every record unflagged.
        var old = Assert.Single(SqliteLedgerReader.Read(Db));
        Assert.Equal(("old", 7L, UsageAnomalies.None), (old.UserId, old.InputTokens, old.Anomalies));

        await using (var sink = Sink())
        {
            sink.Record(Rec(1) with { Anomalies = UsageAnomalies.TokensClamped });
        }

        var records = SqliteLedgerReader.Read(Db).ToList();
        Assert.Equal([UsageAnomalies.None, UsageAnomalies.TokensClamped], records.Select(r => r.Anomalies));
        Assert.Equal("old", records[0].UserId);
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var q = connection.CreateCommand();
        q.CommandText = "SELECT (SELECT user_version FROM pragma_user_version) || '|' || group_concat(anomalies, ',') FROM usage";
        Assert.Equal("5|,tokens_clamped", Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_version_2_ledger_gains_the_version_3_columns_and_they_round_trip()
    {
        // A version-2 ledger: the current table without the version-3 columns.
        WriteOldLedger($"""
            CREATE TABLE usage_records ({Version1Columns}, anomalies INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX ix_usage_records_timestamp ON usage_records (timestamp_ms);
            INSERT INTO usage_records (timestamp_ms, user_id, model, input_tokens, cached_input_tokens, output_tokens, cost_pusd, cache_layer, latency_us, outcome, streaming, priced, anomalies)
                VALUES (1000, 'v2', 'gpt-4o', 7, 0, 1, 5, 0, 10, 0, 0, 1, 4);
            PRAGMA application_id = 1347374151;
            PRAGMA user_version = 2;
            """);

        var old = Assert.Single(SqliteLedgerReader.Read(Db));
        Assert.Equal((UsageAnomalies.Truncated, 0L, 0L, (TimeSpan?)null, (string?)null, 0), (old.Anomalies, old.CacheWriteInputTokens, old.ReasoningTokens, old.CacheTtl, old.CacheTtlReason, old.Escalations));

        await using (var sink = Sink())
        {
            sink.Record(Rec(1) with { CacheWriteInputTokens = 1200, ReasoningTokens = 64, CacheTtl = TimeSpan.FromMinutes(5), CacheTtlReason = "time_sensitive", Escalations = 2 });
        }

        var records = SqliteLedgerReader.Read(Db).ToList();
        Assert.Equal(2, records.Count);
        Assert.Equal("v2", records[0].UserId);
        Assert.Equal((1200L, 64L, (TimeSpan?)TimeSpan.FromMinutes(5), (string?)"time_sensitive", 2),
            (records[1].CacheWriteInputTokens, records[1].ReasoningTokens, records[1].CacheTtl, records[1].CacheTtlReason, records[1].Escalations));
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var q = connection.CreateCommand();
        q.CommandText = "SELECT (SELECT user_version FROM pragma_user_version) || '|' || group_concat(cache_write_tokens || ':' || reasoning_tokens || ':' || ifnull(cache_ttl_s, '-') || ':' || ifnull(cache_ttl_reason, '-') || ':' || escalations, ',') FROM usage";
        Assert.Equal("5|0:0:-:-:0,1200:64:300.0:time_sensitive:2", Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_version_3_ledger_gains_the_tenant_and_the_budget_events_and_both_round_trip()
    {
        // A version-3 ledger: the current table without tenant_id, no budget_events table.
        WriteOldLedger($"""
            CREATE TABLE usage_records ({Version1Columns}, anomalies INTEGER NOT NULL DEFAULT 0, cache_write_tokens INTEGER NOT NULL DEFAULT 0,
                reasoning_tokens INTEGER NOT NULL DEFAULT 0, cache_ttl_ms INTEGER, cache_ttl_reason TEXT, escalations INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX ix_usage_records_timestamp ON usage_records (timestamp_ms);
            INSERT INTO usage_records (timestamp_ms, user_id, model, input_tokens, cached_input_tokens, output_tokens, cost_pusd, cache_layer, latency_us, outcome, streaming, priced, escalations)
                VALUES (1000, 'v3', 'gpt-4o', 7, 0, 1, 5, 0, 10, 0, 0, 1, 1);
            PRAGMA application_id = 1347374151;
            PRAGMA user_version = 3;
            """);

        var old = Assert.Single(SqliteLedgerReader.Read(Db));
        Assert.Equal(("v3", 1, (string?)null), (old.UserId, old.Escalations, old.TenantId));
        Assert.Empty(SqliteLedgerReader.ReadBudgetEvents(Db)); // read-only: no table yet, no events

        var at = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var threshold = new BudgetAlert
        {
            Scope = BudgetScope.Tenant, ScopeId = "acme", Window = BudgetWindow.Day, ThresholdPercent = 80, SpentOrReservedUsd = 0.12m,
            LimitUsd = 0.15m, PeriodEnd = at.AddHours(14), At = at,
        };
        var action = new BudgetAlert
        {
            Kind = BudgetAlertKind.Action, Action = BudgetActionKind.PauseNonEssential, Trigger = BudgetActionTrigger.PaceCritical, Scope = BudgetScope.Application,
            Window = BudgetWindow.Month, ThresholdPercent = 0, SpentOrReservedUsd = 61.5m, LimitUsd = 100m, PeriodEnd = at.AddDays(31), At = at.AddMinutes(5),
        };
        var undone = action with { Undone = true, At = action.PeriodEnd };
        await using (var sink = Sink())
        {
            sink.Record(Rec(2000) with { TenantId = "acme", UserId = "ann", ConversationId = "c1" });
            await sink.PublishAsync(threshold, default);
            await sink.PublishAsync(action, default);
            await sink.PublishAsync(undone, default);
        }

        var records = SqliteLedgerReader.Read(Db).ToList();
        Assert.Equal([null, "acme"], records.Select(r => r.TenantId));
        Assert.Equal([threshold, action, undone], SqliteLedgerReader.ReadBudgetEvents(Db));
        Assert.Equal([action], SqliteLedgerReader.ReadBudgetEvents(Db, at.AddMinutes(1), at.AddDays(1)));
        var ledger = global::PromptOps.Reports.UsageLedger.LoadSqlite(Db);
        Assert.Equal(3, ledger.BudgetEvents.Count);
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var q = connection.CreateCommand();
        q.CommandText = "SELECT (SELECT user_version FROM pragma_user_version) || '|' || group_concat(ifnull(tenant_id, '-') || ':' || ifnull(conversation_id, '-'), ',') FROM usage";
        Assert.Equal("5|-:-,acme:c1", Convert.ToString(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public static TheoryData<string> BadLedgerPaths => ["directory", "text-file", "under-a-file"];

    [Theory]
    [MemberData(nameof(BadLedgerPaths))]
    public void A_ledger_path_that_cannot_be_a_ledger_fails_at_start_up_naming_the_option_and_the_path(string kind)
    {
        Directory.CreateDirectory(_dir);
        var path = kind switch
        {
            "directory" => Directory.CreateDirectory(Path.Combine(_dir, "ledger-dir")).FullName,
            "text-file" => Path.Combine(_dir, "notes.txt"),
            _ => Path.Combine(_dir, "notes.txt", "ledger.db"),
        };
        if (kind != "directory") File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not a database, just some text that is long enough");
        var expected = kind == "directory" ? "is a directory" : kind == "text-file" ? "is not a SQLite database file" : "which is a file, not a directory";

        // Creating the sink directly.
        var e = Assert.Throws<ArgumentException>(() => new SqliteUsageSink(path));
        Assert.Contains("PromptOps:Ledger:SqlitePath", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);

        // Through AddPromptOps: the options validation (ValidateOnStart) refuses it before the first call.
        var config = new ConfigurationBuilder().AddInMemoryCollection([new("PromptOps:Ledger:SqlitePath", path)]).Build();
        using var provider = new ServiceCollection().AddPromptOps(config.GetSection("PromptOps")).AddPromptOpsSqliteLedger().BuildServiceProvider();
        var v = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains("PromptOps:Ledger:SqlitePath", v.Message, StringComparison.Ordinal);
        Assert.Contains(path, v.Message, StringComparison.Ordinal);
        if (kind != "directory") Assert.Equal("not a database, just some text that is long enough", File.ReadAllText(Path.Combine(_dir, "notes.txt"))); // untouched
    }

    [Fact]
    public void A_damaged_sqlite_file_fails_naming_the_option_and_the_path()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "damaged.db");
        File.WriteAllBytes(path, [.. "SQLite format 3\0"u8, .. Enumerable.Repeat((byte)0xAB, 4096)]);
        Assert.Empty(new LedgerOptions { SqlitePath = path }.GetErrors()); // the header is right; SQLite finds the damage

        var e = Assert.Throws<InvalidDataException>(() => new SqliteUsageSink(path));
        Assert.Contains("PromptOps:Ledger:SqlitePath", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.IsType<SqliteException>(e.InnerException);

        // An empty file is a new database, and a new file in a new folder is fine.
        File.WriteAllBytes(Path.Combine(_dir, "empty.db"), []);
        Assert.Empty(new LedgerOptions { SqlitePath = Path.Combine(_dir, "empty.db") }.GetErrors());
        Assert.Empty(new LedgerOptions { SqlitePath = Path.Combine(_dir, "new", "deeper", "ledger.db") }.GetErrors());
    }

    [Fact]
    public async Task The_reader_filters_by_time_and_returns_time_order()
    {
        await using (var sink = Sink())
        {
            for (var i = 9; i >= 0; i--) sink.Record(Rec(i));
        }

        var from = Rec(3).Timestamp;
        var to = Rec(7).Timestamp;
        Assert.Equal([3L, 4, 5, 6], SqliteLedgerReader.Read(Db, from, to).Select(r => r.InputTokens));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), SqliteLedgerReader.Read(Db).Select(r => r.InputTokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => SqliteLedgerReader.Read(Db, to, from));
    }

    [Fact]
    public async Task AddPromptOps_with_a_ledger_path_persists_every_call_and_the_container_flushes_on_dispose()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(new ConfigurationBuilder().AddInMemoryCollection([
            new("PromptOps:Ledger:SqlitePath", Db),
            new("PromptOps:Budget:Tenants:Default:DailyLimitUsd", "0.0001"),
        ]).Build().GetSection("PromptOps"));
        services.AddPromptOpsSqliteLedger();
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var options = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 20, ConversationId = "chat-7" }.WithPromptOps(new PromptOpsMetadata { UserId = "alice", Endpoint = "/chat" });
        using (PromptOpsContext.BeginTenant("acme"))
        {
            for (var i = 0; i < 3; i++) await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi " + i)], options);
        }

        await provider.DisposeAsync();

        // Every call with its tenant (ledger schema 4), and the tenant budget's 50 % and 80 % alerts in budget_events.
        var records = SqliteLedgerReader.Read(Db).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(("alice", "/chat", "acme", "chat-7"), (r.UserId, r.Endpoint, r.TenantId, r.ConversationId)));
        var events = SqliteLedgerReader.ReadBudgetEvents(Db);
        Assert.Contains(events, e => (e.Scope, e.ScopeId, e.ThresholdPercent) == (BudgetScope.Tenant, "acme", 50));
        Assert.All(events, e => Assert.Equal((BudgetAlertKind.Threshold, BudgetWindow.Day), (e.Kind, e.Window)));
    }

    [Fact]
    public async Task Without_a_ledger_path_no_file_is_written_and_invalid_ledger_options_name_the_value()
    {
        var services = new ServiceCollection();
        services.AddPromptOps(o => o.Ledger.QueueCapacity = 0);
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains("QueueCapacity must be at least 1 (was 0)", e.Message, StringComparison.Ordinal);

        var plain = new ServiceCollection();
        plain.AddPromptOps();
        var sink = new InMemoryUsageSink();
        plain.AddSingleton<IUsageSink>(sink);
        plain.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = plain.BuildServiceProvider();
        await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
        Assert.Single(sink.Snapshot());
        Assert.False(Directory.Exists(_dir));
    }
}
