using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.Analyzers.Rules;
using PromptOps.Analyzers.Tests.Infrastructure;
using PromptOps.CodeFixes;
using Xunit.Abstractions;
using static PromptOps.Analyzers.Tests.Infrastructure.RealCodeHarness;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// PO0002, PO0003 and PO0005 on code written in the style of Anthropic's SDK examples (RealCode/Anthropic/*.cs,
/// RealCode/README.md): every line a reviewer marks <c>// expect POxxxx</c> is reported with that id and nothing else is
/// (false positives and misses are counted, both must be zero); PO0002's and PO0003's fixes, applied one at a time until
/// none is offered, leave code that compiles with only the PO0005 lines and the lines marked "(no fix)" reported.
/// </summary>
public class AnthropicRealCodeTests(ITestOutputHelper output)
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "RealCode", "Anthropic");
    private static readonly string[] Ids = ["PO0002", "PO0003", "PO0005"];

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new AnthropicMessagesAnalyzer(), new MissingOutputLimitAnalyzer(), new ExpensiveModelAnalyzer(), new CacheUnfriendlyLayoutAnalyzer());

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.cs").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Fact]
    public void The_snippets_are_there() => Assert.True(Files().Count >= 3, "RealCode/Anthropic/*.cs not copied to " + Folder);

    [Theory]
    [MemberData(nameof(Files))]
    public async Task The_rules_report_what_a_reviewer_expects_and_the_fixed_code_compiles(string file)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(Folder, file));
        var expected = Expected(source);
        Assert.NotEmpty(expected);

        using var workspace = new AdhocWorkspace();
        var document = await CreateDocumentAsync(workspace, file, source);
        await AssertCompilesAsync(document);

        var found = (await AnalyzeAsync(document)).Select(d => (Line(d), d.Id)).ToHashSet();
        var falsePositives = found.Except(expected).Select(f => $"{file}({f.Item1}): {f.Item2}").ToList();
        var misses = expected.Except(found).Select(f => $"{file}({f.Item1}): {f.Item2}").ToList();
        Assert.True(falsePositives.Count == 0 && misses.Count == 0,
            $"false positives: {falsePositives.Count} {string.Join("; ", falsePositives)}\nmisses: {misses.Count} {string.Join("; ", misses)}");

        document = await RealCodeHarness.ApplyFixesOneAtATimeAsync(document, AnalyzeAsync, [new AddOutputLimitCodeFix(), new UseTaskTierCodeFix()], rounds: 20);

        await AssertCompilesAsync(document);
        var fixedText = (await document.GetTextAsync()).ToString();
        output.WriteLine(fixedText);
        // PO0005 has no fix, nor has a line marked "(no fix)"; the fixes rewrite values in place, so the lines stay.
        var left = (await AnalyzeAsync(document)).Select(d => (Line(d), d.Id)).ToHashSet();
        var kept = Expected(fixedText).Where(e => e.Item2 == "PO0005" || fixedText.Split('\n')[e.Item1 - 1].Contains("(no fix)", StringComparison.Ordinal)).ToHashSet();
        Assert.True(left.SetEquals(kept), "left after the fixes: " + string.Join(", ", left.Order()) + "; expected " + string.Join(", ", kept.Order()));
    }

    /// <summary>The (line, id) pairs of the <c>// expect POxxxx</c> markers.</summary>
    private static HashSet<(int, string)> Expected(string source)
    {
        var expected = new HashSet<(int, string)>();
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var id in Ids)
            {
                if (lines[i].Contains("// expect " + id, StringComparison.Ordinal)) expected.Add((i + 1, id));
            }
        }

        return expected;
    }

    private static Task<Document> CreateDocumentAsync(AdhocWorkspace workspace, string name, string source) =>
        RealCodeHarness.CreateDocumentAsync(workspace, name, source,
            Verify<AnthropicMessagesAnalyzer>.Libraries.Concat(Verify<AnthropicMessagesAnalyzer>.AnthropicLibraries));

    private static Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document) => RealCodeHarness.AnalyzeAsync(document, Analyzers, Ids);
}
