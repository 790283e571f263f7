using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.Data.Sqlite;
using PromptOps.Caching;
using PromptOps.Reports;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Benchmarks;

/// <summary>
/// The ledger suites run one long operation per iteration (20,000 writes, or a report over 1,000,000 records), so
/// they use a monitoring job: 2 warm-up and 10 measured iterations of one operation each. They run in-process
/// (<see cref="InProcessEmitToolchain"/>): no separate build of the benchmark project, which took longer than
/// BenchmarkDotNet's 2-minute build timeout on the shared machine; the rows measure I/O and aggregation, which the
/// host process does not distort.
/// </summary>
public sealed class LedgerConfig : ManualConfig
{
    public LedgerConfig()
    {
        AddJob(Job.Default
            .WithId("Ledger")
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
        WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared));
    }
}

/// <summary>Realistic usage records: 1,000 users, 20 endpoints, 5 models, spread over 30 days in time order.</summary>
internal static class LedgerWorkload
{
    private static readonly string[] Models = ["gpt-4o-mini", "gpt-4o", "claude-haiku", "claude-sonnet", "gemini-1.5-flash"];
    private static readonly string[] Tiers = ["fast_cheap", "high_quality", "balanced", "best", "fast_cheap"];

    public static UsageRecord[] Create(int count)
    {
        var random = new Random(42);
        var endpoints = Enumerable.Range(0, 20).Select(i => $"/api/feature-{i}").ToArray();
        var users = Enumerable.Range(0, 1_000).Select(i => $"user-{i}").ToArray();
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var step = TimeSpan.FromDays(30).Ticks / count;
        var records = new UsageRecord[count];
        for (var i = 0; i < count; i++)
        {
            var m = random.Next(Models.Length);
            var hit = random.Next(10) == 0;
            var input = random.Next(100, 4_000);
            var output = random.Next(5, 800);
            var cost = ((input * 2.5m) + (output * 10m)) / 1_000_000m;
            records[i] = new UsageRecord
            {
                Timestamp = start.AddTicks(step * i),
                PromptId = "App.Prompts.Feature" + (i % 20),
                PromptVersion = "v1",
                Task = "classification",
                Endpoint = endpoints[random.Next(endpoints.Length)],
                UserId = users[random.Next(users.Length)],
                ModelId = Models[m],
                Tier = Tiers[m],
                InputTokens = input,
                CachedInputTokens = input / 4,
                OutputTokens = output,
                CostUsd = hit ? 0m : cost,
                CostSavedUsd = hit ? cost : 0m,
                CacheLayer = hit ? CacheLayer.Memory : CacheLayer.None,
                Latency = TimeSpan.FromMilliseconds(random.Next(50, 3_000)),
                Outcome = UsageOutcome.Success,
                IsPriced = true,
            };
        }

        return records;
    }
}

/// <summary>
/// Ledger writes: 20,000 records into a new SQLite file through <see cref="SqliteUsageSink"/> (Record × 20,000, then
/// FlushAsync) against the anchor, a hand-written loop doing the same inserts the fastest plain way with
/// Microsoft.Data.Sqlite (same table, WAL, one prepared INSERT, one transaction per 1,000 rows). The
/// <see cref="InMemoryUsageSink"/> row shows the cost of the in-memory sink for comparison.
/// Goal (issue 5): ≥ 50,000 records/s into SQLite, i.e. ≤ 400 ms per operation.
/// </summary>
[Config(typeof(LedgerConfig))]
public class LedgerWriteBenchmarks
{
    public const int Records = 20_000;

    private UsageRecord[] _records = null!;
    private string _dir = null!;
    private string _path = null!;
    private int _file;

    [GlobalSetup]
    public void Setup()
    {
        _records = LedgerWorkload.Create(Records);
        _dir = Path.Combine(Path.GetTempPath(), "promptops-ledger-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [IterationSetup]
    public void NewFile() => _path = Path.Combine(_dir, $"ledger-{_file++}.db");

    [Benchmark(Baseline = true)]
    public long RawSqlite_BatchedInsert()
    {
        using var connection = new SqliteConnection($"Data Source={_path};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute(connection, "CREATE TABLE usage_records (id INTEGER PRIMARY KEY, timestamp_ms INTEGER NOT NULL, prompt_id TEXT, prompt_version TEXT, task TEXT, " +
            "endpoint TEXT, user_id TEXT, model TEXT, tier TEXT, input_tokens INTEGER NOT NULL, cached_input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, " +
            "cost_pusd INTEGER, cost_saved_pusd INTEGER, cache_layer INTEGER NOT NULL, latency_us INTEGER NOT NULL, outcome INTEGER NOT NULL, error_type TEXT, " +
            "limit_name TEXT, streaming INTEGER NOT NULL, priced INTEGER NOT NULL); CREATE INDEX ix_usage_records_timestamp ON usage_records (timestamp_ms);");
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO usage_records (timestamp_ms, prompt_id, prompt_version, task, endpoint, user_id, model, tier, input_tokens, " +
            "cached_input_tokens, output_tokens, cost_pusd, cost_saved_pusd, cache_layer, latency_us, outcome, error_type, limit_name, streaming, priced) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)";
        var p = new SqliteParameter[20];
        for (var i = 0; i < p.Length; i++) p[i] = command.Parameters.Add(new SqliteParameter("$" + (i + 1), null));
        for (var start = 0; start < _records.Length; start += 1_000)
        {
            using var tx = connection.BeginTransaction();
            command.Transaction = tx;
            for (var i = start; i < Math.Min(start + 1_000, _records.Length); i++)
            {
                var r = _records[i];
                p[0].Value = r.Timestamp.ToUnixTimeMilliseconds();
                p[1].Value = (object?)r.PromptId ?? DBNull.Value;
                p[2].Value = (object?)r.PromptVersion ?? DBNull.Value;
                p[3].Value = (object?)r.Task ?? DBNull.Value;
                p[4].Value = (object?)r.Endpoint ?? DBNull.Value;
                p[5].Value = (object?)r.UserId ?? DBNull.Value;
                p[6].Value = (object?)r.ModelId ?? DBNull.Value;
                p[7].Value = (object?)r.Tier ?? DBNull.Value;
                p[8].Value = r.InputTokens;
                p[9].Value = r.CachedInputTokens;
                p[10].Value = r.OutputTokens;
                p[11].Value = r.CostUsd is { } c ? (long)(c * 1_000_000_000_000m) : DBNull.Value;
                p[12].Value = r.CostSavedUsd is { } s ? (long)(s * 1_000_000_000_000m) : DBNull.Value;
                p[13].Value = (int)r.CacheLayer;
                p[14].Value = r.Latency.Ticks / TimeSpan.TicksPerMicrosecond;
                p[15].Value = (int)r.Outcome;
                p[16].Value = (object?)r.ErrorType ?? DBNull.Value;
                p[17].Value = (object?)r.LimitName ?? DBNull.Value;
                p[18].Value = r.Streaming ? 1 : 0;
                p[19].Value = r.IsPriced ? 1 : 0;
                command.ExecuteNonQuery();
            }

            tx.Commit();
        }

        return _records.Length;
    }

    [Benchmark]
    public async Task<long> SqliteUsageSink_RecordThenFlush()
    {
        await using var sink = new SqliteUsageSink(_path);
        foreach (var r in _records) sink.Record(r);
        await sink.FlushAsync();
        return sink.Written;
    }

    [Benchmark]
    public int InMemoryUsageSink_Record()
    {
        var sink = new InMemoryUsageSink(Records);
        foreach (var r in _records) sink.Record(r);
        return sink.Snapshot().Count;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var c = connection.CreateCommand();
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }
}

/// <summary>
/// The daily report over 1,000,000 records (30 days, 5 models, 20 endpoints). Anchor: the same figures (cost and
/// requests per day × model and per day × endpoint) with plain LINQ <c>GroupBy</c> over the same in-memory records.
/// Rows: <see cref="UsageReports.Daily"/> over the same records, and the command-line path — load the SQLite ledger
/// file (<see cref="UsageLedger.LoadSqlite"/>) then the daily report. Goal (issue 5): the daily report over 1,000,000
/// records in ≤ 2 s.
/// </summary>
[Config(typeof(LedgerConfig))]
public class DailyReportBenchmarks
{
    public const int Records = 1_000_000;

    private UsageRecord[] _records = null!;
    private string _dir = null!;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _records = LedgerWorkload.Create(Records);
        _dir = Path.Combine(Path.GetTempPath(), "promptops-report-bench-" + Guid.NewGuid().ToString("N"));
        _path = Path.Combine(_dir, "ledger.db");
        using var sink = new SqliteUsageSink(new LedgerOptions { SqlitePath = _path, OverflowPolicy = LedgerOverflowPolicy.Wait });
        foreach (var r in _records) sink.Record(r);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(Baseline = true)]
    public int Linq_GroupBy()
    {
        var byModel = _records
            .GroupBy(r => (Day: DateOnly.FromDateTime(r.Timestamp.UtcDateTime), r.ModelId))
            .Select(g => (g.Key, Requests: g.Count(), Cost: g.Sum(r => r.CostUsd ?? 0m)))
            .ToList();
        var byEndpoint = _records
            .GroupBy(r => (Day: DateOnly.FromDateTime(r.Timestamp.UtcDateTime), r.Endpoint))
            .Select(g => (g.Key, Requests: g.Count(), Cost: g.Sum(r => r.CostUsd ?? 0m)))
            .ToList();
        return byModel.Count + byEndpoint.Count;
    }

    [Benchmark]
    public int UsageReports_Daily() => UsageReports.Daily(_records).Days.Count;

    [Benchmark]
    public int LoadSqlite_then_Daily() => UsageLedger.LoadSqlite(_path).Daily().Days.Count;
}

/// <summary>
/// <c>--ledger-cpu [rounds]</c>: the CPU time (user + system, all threads of this process) and wall time of writing
/// 1,000,000 records through <see cref="SqliteUsageSink"/>, streaming them into the daily report, loading them into a
/// <see cref="UsageLedger"/>, and the daily report over the loaded ledger. CPU time is what a busy shared machine
/// distorts least (wall time there mostly measures the other processes).
/// </summary>
internal static class LedgerCpuTimes
{
    public static void Run(int rounds)
    {
        var records = LedgerWorkload.Create(DailyReportBenchmarks.Records);
        var dir = Path.Combine(Path.GetTempPath(), "promptops-ledger-cpu-" + Guid.NewGuid().ToString("N"));
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var path = Path.Combine(dir, $"ledger-{round}.db");
                Measure(round, "write 1,000,000 (Record + Dispose)", () =>
                {
                    using var sink = new SqliteUsageSink(new LedgerOptions { SqlitePath = path, OverflowPolicy = LedgerOverflowPolicy.Wait });
                    foreach (var r in records) sink.Record(r);
                });
                Measure(round, "stream file -> Daily", () => UsageReports.Daily(SqliteLedgerReader.Read(path)));
                UsageLedger? ledger = null;
                Measure(round, "LoadSqlite (1,000,000 records)", () => ledger = UsageLedger.LoadSqlite(path));
                Measure(round, "Daily over the loaded ledger", () => ledger!.Daily());
                Measure(round, "Daily over the in-memory records", () => UsageReports.Daily(records));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static void Measure(int round, string what, Action action)
    {
        GC.Collect();
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        action();
        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        Console.WriteLine(FormattableString.Invariant($"round {round}  {what,-36} CPU {cpu.TotalMilliseconds,8:F0} ms   wall {wall.Elapsed.TotalMilliseconds,8:F0} ms"));
    }
}
