namespace PromptOps.Benchmarks.Figures;

/// <summary>The usage ledger (<see cref="LedgerWriteBenchmarks"/>, <see cref="DailyReportBenchmarks"/>), interleaved with their anchors.</summary>
internal static class LedgerFigures
{
    private const string RawInsert = "raw batched Microsoft.Data.Sqlite insert";
    private const string Sink = "PromptOps `SqliteUsageSink` (Record × 20,000, then FlushAsync)";
    private const string Linq = "LINQ `GroupBy`";
    private const string Daily = "PromptOps `UsageReports.Daily`";

    public static async Task<FigureOutput> WriteAsync()
    {
        var bench = new LedgerWriteBenchmarks();
        bench.Setup();
        InterleavedResult result;
        try
        {
            // Each call writes 20,000 records into a new file (the benchmark's iteration setup); times are per record.
            result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync(RawInsert, () =>
                {
                    bench.NewFile();
                    bench.RawSqlite_BatchedInsert();
                }, LedgerWriteBenchmarks.Records, AllocationScope.Process),
                TimedOperation.OfTask(Sink, () =>
                {
                    bench.NewFile();
                    return bench.SqliteUsageSink_RecordThenFlush();
                }, LedgerWriteBenchmarks.Records, AllocationScope.Process),
            ], new InterleavedSettings(Repeats: 5, RoundsPerRepeat: 4, Warmup: TimeSpan.FromSeconds(2), SampleTime: TimeSpan.Zero, AllocationCalls: 2)).ConfigureAwait(false);
        }
        finally
        {
            bench.Cleanup();
        }

        var rate = result.Time(Sink).Inverse();
        var anchorRate = result.Time(RawInsert).Inverse();
        var ratio = result.Ratio(Sink);
        var block = $"""
            {Tables.Comparison(result, "20,000 records into a new SQLite file (per record)")}
            Records per second, median over repeats (range): PromptOps {Format.Rate(rate, "records")}, anchor {Format.Rate(anchorRate, "records")}.
            Goal ≥ 50,000 records/s: {(rate.Min >= 50_000 ? "**met** in every repeat" : rate.Median >= 50_000 ? "**met** by the median, not in every repeat" : "**not met**")}.
            """;
        return new FigureOutput(block,
        [
            $"| Ledger writes into SQLite | raw batched Microsoft.Data.Sqlite | {Format.Rate(rate, "records")}, {Format.Speed(ratio)} | ≥ 50,000/s: {(rate.Min >= 50_000 ? "met" : rate.Median >= 50_000 ? "met by the median" : "not met")} |",
        ]);
    }

    public static async Task<FigureOutput> DailyAsync()
    {
        var bench = new DailyReportBenchmarks();
        bench.Setup();
        InterleavedResult result;
        try
        {
            result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync(Linq, () => bench.Linq_GroupBy(), allocation: AllocationScope.Process),
                TimedOperation.Sync(Daily, () => bench.UsageReports_Daily(), allocation: AllocationScope.Process),
            ], new InterleavedSettings(Repeats: 5, RoundsPerRepeat: 3, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.Zero, AllocationCalls: 2, Clock: Clock.ProcessCpu)).ConfigureAwait(false);
        }
        finally
        {
            bench.Cleanup();
        }

        var time = result.Time(Daily);
        var block = $"""
            {Tables.Comparison(result, "Daily report over 1,000,000 in-memory records")}
            Goal ≤ 2 s: {(time.Max <= 2 ? "**met** in every repeat" : time.Median <= 2 ? "**met** by the median, not in every repeat" : "**not met**")}.
            """;
        return new FigureOutput(block,
        [
            $"| Daily report, 1,000,000 records | LINQ `GroupBy` | {Format.TimeSpread(time)}, {Format.Speed(result.Ratio(Daily))} | ≤ 2 s: {(time.Max <= 2 ? "met" : time.Median <= 2 ? "met by the median" : "not met")} |",
        ]);
    }
}
