using System.Globalization;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// The analyzers in a real build: <c>benchmarks/analyzer-report.sh</c>'s timing part (csc CPU time with and without
/// PromptOps on the prompt-free project; each round builds both, in an order that rotates — interleaved), run as a
/// child process; its table is taken as printed. Slow (a few minutes per round pair on 2 cores), so only run by name.
/// </summary>
internal static class AnalyzerBuildFigures
{
    /// <summary>Rounds after the script's warm-up round (<c>ROUNDS</c>); <c>--quick</c> runs 2.</summary>
    private const int Rounds = 6;

    public static async Task<FigureOutput> RunAsync()
    {
        var rounds = InterleavedSettings.Quick ? 2 : Rounds;
        var work = Path.Combine("/tmp", "promptops-figures-analyzers-" + Guid.NewGuid().ToString("N")[..8]);
        var output = await ResultFigures.RunCommandAsync(["bash", "benchmarks/analyzer-report.sh", work], TimeSpan.FromHours(1),
            new Dictionary<string, string> { ["PARTS"] = "2", ["TIMED"] = "PromptFree", ["ROUNDS"] = rounds.ToString(CultureInfo.InvariantCulture), ["FLOOR"] = "0" })
            .ConfigureAwait(false);
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
            // a leftover under /tmp is harmless
        }

        var table = output.Split('\n').Where(l => l.StartsWith('|')).ToList();
        var with = table.FirstOrDefault(l => l.StartsWith("| PromptFree | with PromptOps |", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("benchmarks/analyzer-report.sh printed no 'with PromptOps' row:\n" + output);
        var cells = with.Split('|').Select(c => c.Trim()).ToArray();
        var median = double.Parse(cells[5], CultureInfo.InvariantCulture);
        var perRound = cells[6].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        // Analyzers cannot make a build cheaper: a ratio clearly below 1 says the rounds' noise exceeds what is judged.
        var verdict = median < 0.97 ? "not shown: the ratio is below 1 by more than the 5% judged (noise at this load; re-run on a quieter machine)"
            : median <= 1.05 ? "met by the median of per-round ratios" : "not met";
        var block = $"""
            `PARTS=2 TIMED=PromptFree ROUNDS={rounds} benchmarks/analyzer-report.sh` (csc CPU time = user + system of the compiler process; each round builds with and without PromptOps in an order that rotates, after one warm-up round):

            {string.Join("\n", table)}

            Goal: PromptOps adds ≤ 5% to the compile of the prompt-free project — **{verdict}** ({Format.X(median)}; single rounds {Format.X(perRound.Min())}–{Format.X(perRound.Max())}).
            """;
        return new FigureOutput(block,
        [
            $"| Analyzers on a prompt-free project (real build, csc CPU) | the same build without PromptOps | {Format.X(median)} (median of {perRound.Count} per-round ratios; single rounds {Format.X(perRound.Min())}–{Format.X(perRound.Max())}) | ≤ 5%: {verdict} |",
        ]);
    }
}
