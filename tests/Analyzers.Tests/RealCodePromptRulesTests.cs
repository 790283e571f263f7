using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using PromptOps.Analyzers.Rules;
using PromptOps.Analyzers.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// PO0001 (warning or suggestion) and PO0010 on the real-code corpus (RealCode/README.md): every prompt a reviewer marks
/// <c>// expect PO0001</c> or <c>// expect PO0010</c> on the line where it starts (or <c>// expect PO0001 (next line)</c> on the
/// line before) is reported with that id, and nothing else is — false positives and misses are counted, both must be zero.
/// </summary>
public class RealCodePromptRulesTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "RealCode");

    public static TheoryData<string> Files() => RealCodeTests.Files();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task PO0001_and_PO0010_report_what_a_reviewer_expects(string file)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(Folder, file));
        var lines = source.Split('\n');
        var expected = new HashSet<(string Id, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match m in Regex.Matches(lines[i], @"expect[^/]*?\b(PO0001|PO0010)\b"))
            {
                // "(next line)": for a line that cannot hold a comment, such as the opening of a raw string literal.
                var line = lines[i].Contains("(next line)", StringComparison.Ordinal) ? i + 2 : i + 1;
                foreach (Match id in Regex.Matches(lines[i][m.Index..], @"PO0001|PO0010")) expected.Add((id.Value, line));
            }
        }

        var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None))
            .AddRange(Verify<VerboseSystemPromptAnalyzer>.Libraries.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        var compilation = CSharpCompilation.Create("RealCode", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp12))], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var found = (await compilation.WithAnalyzers([new VerboseSystemPromptAnalyzer(), new StaticInstructionsInUserMessageAnalyzer()]).GetAnalyzerDiagnosticsAsync())
            .Select(d => (d.Id, Line: d.Location.GetLineSpan().StartLinePosition.Line + 1, Text: d.ToString())).ToList();
        foreach (var d in found) output.WriteLine(d.Text);
        var falsePositives = found.Where(d => !expected.Contains((d.Id, d.Line))).Select(d => d.Text).ToList();
        var misses = expected.Where(e => !found.Any(d => d.Id == e.Id && d.Line == e.Line)).Select(e => $"{file}({e.Line}) {e.Id}").ToList();
        Assert.True(falsePositives.Count == 0 && misses.Count == 0,
            $"false positives: {falsePositives.Count} {string.Join("; ", falsePositives)}\nmisses: {misses.Count} {string.Join("; ", misses)}");
    }
}
