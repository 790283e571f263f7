extern alias generators;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Generators.Tests.Infrastructure;

/// <summary>
/// What <c>dotnet build</c> does with the PromptOps package: the generator runs first, then every PromptOps analyzer (the
/// PO1xxx declaration analyzer and the PO0xxx cost rules) over the compilation that includes the generated code, with
/// the compiler's own treatment of generated code. Returns every PromptOps diagnostic and the compiler's errors.
/// </summary>
internal static class PipelineHarness
{
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = CreateAnalyzers();

    public static async Task<PipelineResult> RunAsync(params string[] sources)
    {
        var (generated, _, output) = GeneratorHarness.Run(sources);
        var withAnalyzers = output.WithAnalyzers(Analyzers, new AnalyzerOptions([]));
        var all = await withAnalyzers.GetAllDiagnosticsAsync();
        var errors = all.Where(d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("PO", StringComparison.Ordinal)).ToImmutableArray();
        var prompt = all.Where(d => d.Id.StartsWith("PO", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
        var crashes = all.Where(d => d.Id == "AD0001").ToImmutableArray();
        return new PipelineResult(prompt, errors, crashes, generated);
    }

    private static ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers()
    {
        var cost = typeof(PromptOps.Analyzers.Rules.PromptCostAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!);
        return [new generators::PromptOps.Generators.PromptMethodAnalyzer(), .. cost];
    }
}

internal sealed record PipelineResult(
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<Diagnostic> CompilerErrors,
    ImmutableArray<Diagnostic> Crashes,
    ImmutableArray<GeneratedSourceResult> Generated)
{
    public IEnumerable<string> Ids => Diagnostics.Select(d => d.Id);

    /// <summary>One line per diagnostic: "PO0001 Source0.cs(7,23)".</summary>
    public string Describe() => string.Join("\n", Diagnostics.Select(d =>
    {
        var span = d.Location.GetLineSpan();
        return $"{d.Id} {Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}) {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }).Concat(CompilerErrors.Select(e => "compiler: " + e)).Concat(Crashes.Select(c => "crash: " + c)));
}
