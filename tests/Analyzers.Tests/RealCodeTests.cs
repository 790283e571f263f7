using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using PromptOps.Analyzers.Rules;
using PromptOps.Analyzers.Tests.Infrastructure;
using PromptOps.CodeFixes;
using Xunit.Abstractions;
using static PromptOps.Analyzers.Tests.Infrastructure.RealCodeHarness;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// PO0002 on code written like the public .NET AI samples (RealCode/README.md): every call a reviewer marks
/// <c>// expect PO0002</c> is reported and nothing else is (false positives and misses are counted, both must be zero);
/// the fix, applied until nothing fixable is left, leaves code that compiles with only the "(no fix)" calls reported.
/// </summary>
public class RealCodeTests(ITestOutputHelper output)
{
    private const string Marker = "// expect PO0002";
    private const string NoFixMarker = "// expect PO0002 (no fix)";
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "RealCode");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.cs").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void The_corpus_is_there() => Assert.True(Files().Count >= 3, "RealCode/*.cs not copied to " + Folder);

    [Theory]
    [MemberData(nameof(Files))]
    public async Task PO0002_reports_what_a_reviewer_expects_and_the_fixed_code_compiles(string file)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(Folder, file));
        var expected = Lines(source).Where(l => l.Text.Contains(Marker, StringComparison.Ordinal)).Select(l => l.Number).ToHashSet();
        Assert.NotEmpty(expected);

        using var workspace = new AdhocWorkspace();
        var document = await CreateDocumentAsync(workspace, file, source);
        await AssertCompilesAsync(document);

        var found = await AnalyzeAsync(document);
        var foundLines = found.Select(Line).ToHashSet();
        var falsePositives = found.Where(d => !expected.Contains(Line(d))).Select(d => $"{file}({Line(d)}): {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}").ToList();
        var misses = expected.Where(l => !foundLines.Contains(l)).Select(l => $"{file}({l})").ToList();
        Assert.True(falsePositives.Count == 0 && misses.Count == 0,
            $"false positives: {falsePositives.Count} {string.Join("; ", falsePositives)}\nmisses: {misses.Count} {string.Join("; ", misses)}");

        // Apply the fix one diagnostic at a time, as a user would, until no fix is offered.
        document = await RealCodeHarness.ApplyFixesOneAtATimeAsync(document, AnalyzeAsync, [new AddOutputLimitCodeFix()], rounds: 50);

        await AssertCompilesAsync(document);
        var fixedText = (await document.GetTextAsync()).ToString();
        output.WriteLine(fixedText);
        var left = (await AnalyzeAsync(document)).Select(Line).Order().ToList();
        var noFix = Lines(fixedText).Where(l => l.Text.Contains(NoFixMarker, StringComparison.Ordinal)).Select(l => l.Number).Order().ToList();
        Assert.True(noFix.SequenceEqual(left), $"left after the fixes: [{string.Join(", ", left)}], expected only the no-fix lines [{string.Join(", ", noFix)}]\n{fixedText}");
    }

    private static IEnumerable<(int Number, string Text)> Lines(string text) =>
        text.Split('\n').Select((line, i) => (i + 1, line));

    private static Task<Document> CreateDocumentAsync(AdhocWorkspace workspace, string name, string source) =>
        RealCodeHarness.CreateDocumentAsync(workspace, name, source, Verify<MissingOutputLimitAnalyzer>.Libraries);

    private static Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document) =>
        RealCodeHarness.AnalyzeAsync(document, [new MissingOutputLimitAnalyzer()], ["PO0002"]);
}
