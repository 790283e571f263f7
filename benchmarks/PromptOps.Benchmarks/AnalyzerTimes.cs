using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- --analyzer-times [rounds] [project…]</c>: which analyzer (and which kind of Roslyn action)
/// costs what, in one process. Not a BenchmarkDotNet suite: the configurations run round-robin (every configuration
/// once per round, after two warm-up rounds), so a burst of load from another process hits all of them alike, and each
/// time is compared with the no-analyzer compile of the same round (the median of those per-round ratios is printed).
/// Configurations: no analyzers; all PromptOps analyzers; each PromptOps analyzer alone; <see cref="FloorAnalyzer"/>
/// with all its actions, with each kind of action alone, and with none (a start action only). Then three runs of all
/// analyzers with Roslyn's per-analyzer execution times (what <c>ReportAnalyzer=true</c> prints in a build).
/// </summary>
internal static class AnalyzerTimes
{
    public static async Task RunAsync(int rounds, IReadOnlyList<AnalyzerProject> projects)
    {
        var all = AnalyzerWorkload.Analyzers();
        List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)> configs =
        [
            ("no analyzers (anchor)", []),
            ("all PromptOps analyzers", all),
            .. all.Select(a => ("alone: " + a.GetType().Name, ImmutableArray.Create(a))),
            ("floor: all actions", [new FloorAnalyzer()]),
            ("floor: operation actions only", [new FloorAnalyzer(operations: true, symbols: false, syntax: false)]),
            ("floor: method symbol action only", [new FloorAnalyzer(operations: false, symbols: true, syntax: false)]),
            ("floor: attribute syntax action only", [new FloorAnalyzer(operations: false, symbols: false, syntax: true)]),
            ("floor: start action only", [new FloorAnalyzer(operations: false, symbols: false, syntax: false)]),
        ];

        foreach (var project in projects)
        {
            var compilation = AnalyzerWorkload.Compilation(project);
            Console.WriteLine($"## {project}: {compilation.SyntaxTrees.Length} syntax trees, {rounds} rounds (+2 warm-up)");
            var times = configs.Select(_ => new List<double>()).ToList();
            for (var round = rounds > 0 ? -2 : 0; round < rounds; round++)
            {
                for (var c = 0; c < configs.Count; c++)
                {
                    var ms = await TimeAsync(compilation, configs[c].Analyzers).ConfigureAwait(false);
                    if (round >= 0) times[c].Add(ms);
                }

                Console.Write(round < 0 ? "w" : ".");
            }

            Console.WriteLine();
            Console.WriteLine();
            if (rounds > 0) PrintTimes(configs.Select(c => c.Name).ToList(), times);
            Console.WriteLine();
            PrintTelemetry(await TelemetryAsync(compilation, all).ConfigureAwait(false));
            Console.WriteLine("// Tokenizer after this project: " + TokenizerCheck.Describe());
            Console.WriteLine();
        }
    }

    private static void PrintTimes(List<string> names, List<List<double>> times)
    {
        Console.WriteLine("| Configuration | Median (ms) | Min (ms) | Median ratio to the anchor of the same round |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var c = 0; c < names.Count; c++)
        {
            var ratios = times[c].Zip(times[0], (t, anchor) => t / anchor).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {names[c]} | {Median(times[c]):F0} | {times[c].Min():F0} | {Median(ratios):F3} |"));
        }
    }

    /// <summary>Roslyn's per-analyzer execution times (all analyzers together), three runs.</summary>
    private static async Task<Dictionary<string, List<double>>> TelemetryAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> all)
    {
        var telemetry = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var run = 0; run < 3; run++)
        {
            // GetAnalysisResultAsync keeps the per-analyzer telemetry (GetAllDiagnosticsAsync runs a driver that does not).
            var result = await compilation.Clone().WithAnalyzers(all, AnalyzerWorkload.AnalysisOptions(logTimes: true))
                .GetAnalysisResultAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var (analyzer, info) in result.AnalyzerTelemetryInfo)
            {
                var name = analyzer.GetType().Name;
                if (!telemetry.TryGetValue(name, out var list)) telemetry[name] = list = [];
                list.Add(info.ExecutionTime.TotalMilliseconds);
            }
        }

        return telemetry;
    }

    private static void PrintTelemetry(Dictionary<string, List<double>> telemetry)
    {
        Console.WriteLine("| Analyzer (Roslyn telemetry, all analyzers together) | Execution time, median of 3 (ms) |");
        Console.WriteLine("|---|---:|");
        foreach (var (name, list) in telemetry.OrderByDescending(p => Median(p.Value)))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(list):F0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Total | {telemetry.Values.Sum(Median):F0} |"));
        Console.WriteLine();
    }

    private static async Task<double> TimeAsync(Compilation project, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var clone = project.Clone();
        var stopwatch = Stopwatch.StartNew();
        if (analyzers.IsEmpty) clone.GetDiagnostics();
        else await clone.WithAnalyzers(analyzers, AnalyzerWorkload.AnalysisOptions()).GetAllDiagnosticsAsync().ConfigureAwait(false);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
