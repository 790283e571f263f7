using System.Globalization;
using System.Text;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// The generator on 1,000 methods (<see cref="GeneratorBenchmarks"/>): cold against the <c>[LoggerMessage]</c> generator,
/// incremental (an unrelated edit) against the Roslyn floor and against its own cold run, all four interleaved, per layout.
/// </summary>
internal static class GeneratorFigures
{
    private const string LoggerCold = "`[LoggerMessage]` cold";
    private const string Cold = "PromptOps cold";
    private const string Incremental = "PromptOps incremental";
    private const string Floor = "Roslyn floor incremental";

    public static async Task<FigureOutput> RunAsync()
    {
        var block = new StringBuilder();
        var coldResults = new List<string>();
        var incrementalResults = new List<string>();
        var coldVerdicts = new List<string>();
        var incrementalVerdicts = new List<string>();
        foreach (var perClass in new[] { 20, 1 })
        {
            var bench = new GeneratorBenchmarks { MethodsPerClass = perClass };
            bench.SetupPromptOps(); // each setup checks its generator's output and that an unrelated edit leaves it cached
            bench.SetupLoggerMessage();
            bench.SetupFloor();
            var result = await Interleaved.RunAsync(
            [
                TimedOperation.Sync(LoggerCold, () => bench.LoggerMessage_Cold(), allocation: AllocationScope.Process),
                TimedOperation.Sync(Cold, () => bench.PromptOps_Cold(), allocation: AllocationScope.Process),
                TimedOperation.Sync(Incremental, () => bench.PromptOps_Incremental(), allocation: AllocationScope.Process),
                TimedOperation.Sync(Floor, () => bench.RoslynFloor_Incremental(), allocation: AllocationScope.Process),
            ], new InterleavedSettings(Repeats: 5, RoundsPerRepeat: 3, Warmup: TimeSpan.FromSeconds(5), SampleTime: TimeSpan.Zero, AllocationCalls: 2, Clock: Clock.ProcessCpu)).ConfigureAwait(false);

            var cold = result.Ratio(Cold);
            var overFloor = result.Ratio(Incremental, Floor);
            var overCold = result.Ratio(Incremental, Cold);
            var floorOverCold = result.Ratio(Floor, Cold);
            var layout = perClass == 20 ? "20 methods per class (50 classes, the issue's layout)" : "1 method per class (1,000 classes)";
            block.Append("**").Append(layout).Append("**\n\n").Append(Tables.Comparison(result, "Run over 1,000 methods")).Append('\n')
                .Append("| Ratio (time) | median (range) | goal |\n|---|--:|---|\n")
                .Append(CultureInfo.InvariantCulture, $"| PromptOps cold / `[LoggerMessage]` cold | {Format.Ratio(cold)} | ≤ 1.5×: {Tables.Verdict(cold, 1.5, atMost: true)} |\n")
                .Append(CultureInfo.InvariantCulture, $"| PromptOps incremental / Roslyn floor incremental | {Format.Ratio(overFloor)} | ≤ 2× (restated goal): {Tables.Verdict(overFloor, 2, atMost: true)} |\n")
                .Append(CultureInfo.InvariantCulture, $"| PromptOps incremental / PromptOps cold | {Format.Ratio(overCold)} | ≤ 0.2× (goal as written; below the floor's own {Format.X(floorOverCold.Median)} of cold): {Tables.Verdict(overCold, 0.2, atMost: true)} |\n\n");
            coldResults.Add($"{Format.Speed(cold)} at {perClass} per class");
            incrementalResults.Add($"{Format.Ratio(overFloor)} the floor ({Format.X(overCold.Median)} cold) at {perClass} per class");
            coldVerdicts.Add($"{Plain(Tables.Verdict(cold, 1.5, atMost: true))} at {perClass}");
            incrementalVerdicts.Add($"{Plain(Tables.Verdict(overFloor, 2, atMost: true))} at {perClass}");
        }

        return new FigureOutput(block.ToString(),
        [
            $"| Generator, cold, 1,000 methods | `[LoggerMessage]` generator | {string.Join("; ", coldResults)} | ≤ 1.5×: {string.Join("; ", coldVerdicts)} |",
            $"| Generator, incremental (unrelated edit) | Roslyn floor (`ForAttributeWithMetadataName` doing nothing) | {string.Join("; ", incrementalResults)} | ≤ 0.2× cold is below the floor; restated ≤ 2× floor: {string.Join("; ", incrementalVerdicts)} |",
        ]);
    }

    private static string Plain(string markdown) => markdown.Replace("**", string.Empty, StringComparison.Ordinal);
}
