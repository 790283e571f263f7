using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// Time to the first response of a cold process (issue #17: "time to the first response in a benchmark"): the
/// <c>benchmarks/FirstResponse</c> app started as a new process, a PromptOps-only application (<c>UsePromptOps()</c> with a
/// daily budget, and with the defaults) against the anchor, an application with only Microsoft.Extensions.AI and its
/// distributed cache, in an order that rotates round after round (interleaved). Each run reports, from the start of its <c>Main</c>, when the
/// pipeline was built and when the one call (to an in-process stand-in provider) answered; the parent times the whole
/// process, start to exit. Wall time: a cold start is what a user waits for, JIT and assembly loading included.
/// </summary>
internal static partial class FirstResponseFigures
{
    private const int Rounds = 12;

    /// <summary>A hang guard for one build or run (never a measurement).</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    [GeneratedRegex(@"first-response (?<mode>[\w-]+) build_ms=(?<build>[\d.]+) call_ms=(?<call>[\d.]+)")]
    private static partial Regex Line();

    public static async Task<FigureOutput> RunAsync()
    {
        var rounds = InterleavedSettings.Quick ? 3 : Rounds;
        var root = FiguresCommand.RepositoryRoot();
        await ResultFigures.RunCommandAsync(["dotnet", "build", Path.Combine("benchmarks", "FirstResponse"), "-c", "Release", "--nologo", "-v", "quiet", "-clp:ErrorsOnly;NoSummary"], Timeout).ConfigureAwait(false);
        var app = Path.Combine(root, "benchmarks", "FirstResponse", "bin", "Release", "net10.0", "FirstResponse.dll");
        string[] modes = ["anchor", "promptops", "promptops-plain"];
        foreach (var mode in modes) await RunOnceAsync(app, mode).ConfigureAwait(false); // warm the disk cache: not counted

        var results = modes.ToDictionary(m => m, _ => new List<(double Build, double Call, double Process)>());
        for (var round = 0; round < rounds; round++)
        {
            foreach (var mode in modes.Skip(round % modes.Length).Concat(modes.Take(round % modes.Length))) // the order rotates
            {
                results[mode].Add(await RunOnceAsync(app, mode).ConfigureAwait(false));
            }
        }

        Spread Of(string mode, Func<(double Build, double Call, double Process), double> pick) => Spread.Of(results[mode].Select(pick).ToList());
        static string Ms(Spread s) => string.Create(CultureInfo.InvariantCulture, $"{s.Median:F0} ms ({s.Min:F0}–{s.Max:F0})");
        Spread Ratio(string mode, Func<(double Build, double Call, double Process), double> pick) =>
            Spread.Of(Enumerable.Range(0, rounds).Select(i => pick(results[mode][i]) / pick(results["anchor"][i])).ToList());
        static double First((double Build, double Call, double Process) r) => r.Build + r.Call;
        var ratio = Ratio("promptops", r => r.Process);
        var firstRatio = Ratio("promptops", First);

        var block = new StringBuilder();
        block.Append("| Application (a new process each run) | Pipeline built | First call answered after that | Main start → first response | ÷ anchor, per round | Process start → exit | ÷ anchor, per round |\n")
            .Append("|---|--:|--:|--:|--:|--:|--:|\n");
        foreach (var (mode, label) in new[]
                 {
                     ("anchor", "Microsoft.Extensions.AI + its distributed cache (anchor)"),
                     ("promptops", "PromptOps only, `UsePromptOps()` with a daily budget"),
                     ("promptops-plain", "PromptOps only, `UsePromptOps()` with the defaults (no budget: no tokenizer)"),
                 })
        {
            var vsFirst = mode == "anchor" ? "baseline" : Format.Ratio(Ratio(mode, First));
            var vsProcess = mode == "anchor" ? "baseline" : Format.Ratio(Ratio(mode, r => r.Process));
            block.Append(CultureInfo.InvariantCulture, $"| {label} | {Ms(Of(mode, r => r.Build))} | {Ms(Of(mode, r => r.Call))} | {Ms(Of(mode, First))} | {vsFirst} | {Ms(Of(mode, r => r.Process))} | {vsProcess} |\n");
        }

        block.Append('\n');
        block.Append(CultureInfo.InvariantCulture,
            $"Run: {rounds} rounds, the three applications in an order that rotates, after one unmeasured run of each; wall time (a user waits for a cold start, JIT and assembly loading included). ")
            .Append("The provider is an in-process stand-in that answers at once, so only the pipeline's own start-up is timed; the budget makes the first call count tokens, so the o200k tokenizer is loaded for it ")
            .Append("(PromptOps starts loading it in the background while the pipeline is built).\n");
        var first = Of("promptops", First).Median;
        var anchorFirst = Of("anchor", First).Median;
        var plain = Of("promptops-plain", First).Median;
        return new FigureOutput(block.ToString(),
        [
            string.Create(CultureInfo.InvariantCulture,
                $"| Time to the first response (cold process, one call) | an M.E.AI app with its distributed cache | with a budget {first:F0} ms vs {anchorFirst:F0} ms from `Main`, {Format.Ratio(firstRatio)} (whole process {Format.Ratio(ratio)}); without budget or plans {plain:F0} ms, {Format.Ratio(Ratio("promptops-plain", First))} | reported |"),
        ]);
    }

    private static async Task<(double Build, double Call, double Process)> RunOnceAsync(string app, string mode)
    {
        var clock = Stopwatch.StartNew();
        var output = await ResultFigures.RunCommandAsync(["dotnet", app, mode], Timeout).ConfigureAwait(false);
        var process = clock.Elapsed.TotalMilliseconds;
        var m = Line().Match(output);
        if (!m.Success || m.Groups["mode"].Value != mode) throw new InvalidOperationException($"FirstResponse {mode} printed no timing line:\n{output}");
        return (double.Parse(m.Groups["build"].Value, CultureInfo.InvariantCulture), double.Parse(m.Groups["call"].Value, CultureInfo.InvariantCulture), process);
    }
}
