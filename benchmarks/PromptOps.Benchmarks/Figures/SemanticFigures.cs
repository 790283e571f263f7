namespace PromptOps.Benchmarks.Figures;

/// <summary>A semantic lookup in one partition of 100,000 entries (<see cref="SemanticLookupBenchmarks"/>) against a brute-force scan, interleaved.</summary>
internal static class SemanticFigures
{
    private const string Scan = "brute-force `TensorPrimitives.Dot` scan";
    private const string Search = "PromptOps `SemanticMemoryIndex.Search`";

    public static async Task<FigureOutput> RunAsync()
    {
        var bench = new SemanticLookupBenchmarks { Entries = 100_000 };
        bench.Setup(); // also checks that the partition uses the approximate index at this size
        var result = await Interleaved.RunAsync(
        [
            TimedOperation.Sync(Scan, () => bench.BruteForceScan()),
            TimedOperation.Sync(Search, () => bench.IndexLookup()),
        ], new InterleavedSettings(Repeats: 5, RoundsPerRepeat: 10, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.FromMilliseconds(40), Clock: Clock.ThreadCpu)).ConfigureAwait(false);

        var time = result.Time(Search);
        var verdict = time.Max <= 1e-3 ? "met in every repeat" : time.Median <= 1e-3 ? "met by the median, not in every repeat" : "not met";
        var block = $"""
            {Tables.Comparison(result, "Top-4 lookup at cosine ≥ 0.85, 100,000 entries")}
            Goal ≤ 1 ms at 100,000 entries: **{verdict}**.
            """;
        return new FigureOutput(block,
        [
            $"| Semantic lookup, 100,000 entries | brute-force `TensorPrimitives` scan | {Format.TimeSpread(time)} per lookup, {Format.Speed(result.Ratio(Search))} | ≤ 1 ms: {verdict} |",
        ]);
    }
}
