namespace PromptOps.Benchmarks.Figures;

/// <summary>o200k token counts (<see cref="TokenCountBenchmarks"/>), PromptOps against SharpToken, interleaved, per language.</summary>
internal static class TokenFigures
{
    private const string Anchor = "SharpToken `CountTokens`";
    private const string PromptOps = "PromptOps `TiktokenTokenCounter.O200k`";

    public static async Task<FigureOutput> RunAsync()
    {
        var blocks = new List<string>();
        var results = new List<string>();
        var verdicts = new List<string>();
        foreach (var language in new[] { "English", "Japanese" })
        {
            var bench = new TokenCountBenchmarks { Language = language };
            bench.Setup(); // also checks that both count the same tokens
            var result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync(Anchor, () => bench.SharpToken_CountTokens()),
                TimedOperation.Sync(PromptOps, () => bench.PromptOps_CountTokens()),
            ], new InterleavedSettings(Repeats: 7, RoundsPerRepeat: 12, Warmup: TimeSpan.FromSeconds(3), SampleTime: TimeSpan.FromMilliseconds(20), Clock: Clock.ThreadCpu)).ConfigureAwait(false);
            var ratio = result.Ratio(PromptOps);
            blocks.Add($"**{language}** ({(language == "English" ? "2,966 characters, 590 tokens" : "1,272 characters, 896 tokens")}):\n\n{Tables.Comparison(result, "Count")}");
            results.Add($"{Format.Speed(ratio)} ({language})");
            verdicts.Add($"{language} {Tables.Verdict(ratio, 1, atMost: true).Replace("**", string.Empty, StringComparison.Ordinal)}");
        }

        return new FigureOutput(
            string.Join("\n", blocks) + "\nGoal: not slower than the anchor (time ratio ≤ 1).\n",
            [$"| o200k token count | SharpToken | {string.Join("; ", results)} | not slower: {string.Join(", ", verdicts)} |"]);
    }
}
