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
/// with all its actions, with each kind of action alone, and with none (a start action only); the SDK's analyzers without
/// and with the PromptOps analyzers. Then Roslyn's per-analyzer execution times (what <c>ReportAnalyzer=true</c> prints
/// in a build), three runs each: the PromptOps analyzers alone, and together with the SDK's.
/// </summary>
internal static class AnalyzerTimes
{
    public static async Task RunAsync(int rounds, IReadOnlyList<AnalyzerProject> projects)
    {
        var all = AnalyzerWorkload.Analyzers();
        var sdk = AnalyzerWorkload.SdkAnalyzers();
        List<(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers, bool Sdk)> configs =
        [
            ("no analyzers (anchor)", [], false),
            ("all PromptOps analyzers", all, false),
            .. all.Select(a => ("alone: " + a.GetType().Name, ImmutableArray.Create(a), false)),
            ("floor: all actions", [new FloorAnalyzer()], false),
            ("floor: operation actions only", [new FloorAnalyzer(operations: true, symbols: false, syntax: false)], false),
            ("floor: method symbol action only", [new FloorAnalyzer(operations: false, symbols: true, syntax: false)], false),
            ("floor: attribute syntax action only", [new FloorAnalyzer(operations: false, symbols: false, syntax: true)], false),
            ("floor: start action only", [new FloorAnalyzer(operations: false, symbols: false, syntax: false)], false),
            ("SDK analyzers (NetAnalyzers)", sdk, true),
            ("SDK analyzers + all PromptOps analyzers", [.. sdk, .. all], true),
        ];

        foreach (var project in projects)
        {
            var compilation = AnalyzerWorkload.Compilation(project);
            var sdkCompilation = AnalyzerWorkload.WithSdkSeverities(compilation);
            Console.WriteLine($"## {project}: {compilation.SyntaxTrees.Length} syntax trees, {rounds} rounds (+2 warm-up)");
            var times = configs.Select(_ => new List<double>()).ToList();
            for (var round = rounds > 0 ? -2 : 0; round < rounds; round++)
            {
                for (var c = 0; c < configs.Count; c++)
                {
                    var ms = configs[c].Sdk
                        ? await TimeAsync(sdkCompilation, configs[c].Analyzers, AnalyzerWorkload.SdkOptions).ConfigureAwait(false)
                        : await TimeAsync(compilation, configs[c].Analyzers, AnalyzerWorkload.Options).ConfigureAwait(false);
                    if (round >= 0) times[c].Add(ms);
                }

                Console.Write(round < 0 ? "w" : ".");
            }

            Console.WriteLine();
            Console.WriteLine();
            if (rounds > 0) PrintTimes(configs.Select(c => c.Name).ToList(), times);
            Console.WriteLine();
            Console.WriteLine("PromptOps analyzers alone:");
            PrintTelemetry(await TelemetryAsync(compilation, all, AnalyzerWorkload.Options).ConfigureAwait(false), top: 100);
            Console.WriteLine("With the SDK analyzers (PromptOps and the 10 slowest SDK analyzers):");
            PrintTelemetry(await TelemetryAsync(sdkCompilation, [.. sdk, .. all], AnalyzerWorkload.SdkOptions).ConfigureAwait(false), top: 10);
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
    private static async Task<Dictionary<string, List<double>>> TelemetryAsync(Compilation compilation, ImmutableArray<DiagnosticAnalyzer> all, AnalyzerOptions options)
    {
        var telemetry = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var run = 0; run < 3; run++)
        {
            // GetAnalysisResultAsync keeps the per-analyzer telemetry (GetAllDiagnosticsAsync runs a driver that does not).
            var result = await compilation.Clone().WithAnalyzers(all, AnalyzerWorkload.AnalysisOptions(logTimes: true, options: options))
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

    private static void PrintTelemetry(Dictionary<string, List<double>> telemetry, int top)
    {
        Console.WriteLine("| Analyzer (Roslyn telemetry, analyzers run together) | Execution time, median of 3 (ms) |");
        Console.WriteLine("|---|---:|");
        var promptOps = AnalyzerWorkload.Analyzers().Select(a => a.GetType().Name).ToHashSet(StringComparer.Ordinal);
        var ordered = telemetry.OrderByDescending(p => Median(p.Value)).ToList();
        foreach (var (name, list) in ordered.Where(p => promptOps.Contains(p.Key)).Concat(ordered.Where(p => !promptOps.Contains(p.Key)).Take(top)))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Median(list):F0} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| PromptOps total | {telemetry.Where(p => promptOps.Contains(p.Key)).Sum(p => Median(p.Value)):F0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Total, all analyzers | {telemetry.Values.Sum(Median):F0} |"));
        Console.WriteLine();
    }

    private static async Task<double> TimeAsync(Compilation project, ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions options)
    {
        var clone = project.Clone();
        var stopwatch = Stopwatch.StartNew();
        if (analyzers.IsEmpty) clone.GetDiagnostics();
        else await clone.WithAnalyzers(analyzers, AnalyzerWorkload.AnalysisOptions(options: options)).GetAllDiagnosticsAsync().ConfigureAwait(false);
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
