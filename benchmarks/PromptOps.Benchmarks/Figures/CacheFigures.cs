namespace PromptOps.Benchmarks.Figures;

/// <summary>The cache's hit path (<see cref="CacheHitBenchmarks"/>) and its time-sensitivity check (<see cref="TimeSensitivityBenchmarks"/>), interleaved.</summary>
internal static class CacheFigures
{
    private const string Anchor = "M.E.AI `DistributedCachingChatClient` hit";
    private const string PromptOps = "PromptOps L1 hit";
    private const string WithMetadata = "PromptOps L1 hit + metadata";
    private const string Hybrid = "HybridCache L1 hit (data point, no goal)";

    /// <summary>
    /// The anchor's hit path (System.Text.Json, SHA-384, ~1,200 methods) keeps getting faster under tiered compilation and
    /// dynamic PGO for ~15 s of continuous calls; the warm-up covers that, for every row alike.
    /// </summary>
    private static readonly InterleavedSettings Settings = new(Repeats: 7, RoundsPerRepeat: 15, Warmup: TimeSpan.FromSeconds(20), SampleTime: TimeSpan.FromMilliseconds(20), Clock: Clock.ThreadCpu);

    public static async Task<FigureOutput> CacheHitAsync()
    {
        var bench = new CacheHitBenchmarks();
        bench.Setup();
        InterleavedResult result;
        try
        {
            result = await Interleaved.RunAsync(
            [
                TimedOperation.OfTask(Anchor, bench.DistributedCachingChatClient_Hit),
                TimedOperation.OfTask(PromptOps, bench.PromptOps_L1Hit),
                TimedOperation.OfTask(WithMetadata, bench.PromptOps_L1Hit_WithMetadata),
                TimedOperation.OfTask(Hybrid, bench.HybridCache_L1Hit),
            ], Settings).ConfigureAwait(false);
        }
        finally
        {
            bench.Cleanup(); // throws if any measured call missed the cache
        }

        var speed = result.Ratio(PromptOps);
        var bytes = result.Bytes(Anchor) / result.Bytes(PromptOps);
        var metadataSpeed = result.Ratio(WithMetadata);
        var block = $"""
            {Tables.Comparison(result, "Hit of the same request")}
            Goal ≥ 5× faster: {Tables.Verdict(speed.Inverse(), 5, atMost: false)} (PromptOps L1 hit), {Tables.Verdict(metadataSpeed.Inverse(), 5, atMost: false)} (with metadata).
            Goal ≤ 1/5 of the anchor's bytes: {(bytes >= 5 ? "**met**" : "**not met**")} ({Format.Size(result.Bytes(PromptOps))} against {Format.Size(result.Bytes(Anchor))}, {Format.X(bytes)} fewer; allocations are exact and do not move with the load).
            HybridCache against PromptOps' L1: {Format.Speed(result.Ratio(Hybrid, PromptOps))}, {Format.Bytes(result.Bytes(PromptOps), result.Bytes(Hybrid))}.
            """;
        string[] summary =
        [
            $"| Cache hit (L1) | M.E.AI `DistributedCachingChatClient` | {Format.Speed(speed)}, {Format.X(bytes)} fewer bytes ({Format.Size(result.Bytes(PromptOps))} per hit) | ≥ 5×, ≤ 1/5: {Tables.Verdict(speed.Inverse(), 5, atMost: false).Replace("**", string.Empty, StringComparison.Ordinal)} |",
        ];
        return new FigureOutput(block, summary);
    }

    public static async Task<FigureOutput> TimeSensitivityAsync()
    {
        var blocks = new List<string>();
        var summary = new List<string>();
        foreach (var language in new[] { "English", "Japanese" })
        {
            var bench = new TimeSensitivityBenchmarks { Language = language };
            bench.Setup();
            var result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync("compiled `Regex` alternation", () => bench.Regex_IsMatch()),
                TimedOperation.Sync("PromptOps `TimeSensitivity.Find`", () => bench.PromptOps_Find()),
            ], new InterleavedSettings(Repeats: 7, RoundsPerRepeat: 15, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.FromMilliseconds(10), Clock: Clock.ThreadCpu)).ConfigureAwait(false);
            blocks.Add($"**{language}** (~3,000 characters without a marker):\n\n{Tables.Comparison(result, "Check")}");
            summary.Add(language + " " + Format.Speed(result.Ratio("PromptOps `TimeSensitivity.Find`")));
        }

        return new FigureOutput(string.Join("\n", blocks),
            [$"| Time-sensitivity check per request (~3,000 characters) | compiled `Regex` alternation | {string.Join("; ", summary)} | reported (no allocation) |"]);
    }
}
