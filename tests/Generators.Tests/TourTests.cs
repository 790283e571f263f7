using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PromptOps.Generators.Tests.Infrastructure;

namespace PromptOps.Generators.Tests;

/// <summary>
/// The README's tour cannot drift from the API: every line of every C# block of README.md appears, in order, in
/// docs/tour/Program.cs (which adds what a snippet leaves out between its lines), and that program compiles with the generator (and the cost analyzers find nothing worse than
/// their hints in it).
/// </summary>
public class TourTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void Every_csharp_snippet_of_the_README_is_in_the_tour_program()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var tour = Lines(File.ReadAllText(Path.Combine(Root, "docs", "tour", "Program.cs")));
        var snippets = Regex.Matches(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(snippets);
        foreach (var snippet in snippets)
        {
            var at = 0;
            foreach (var line in Lines(snippet))
            {
                at = tour.IndexOf(line, at);
                Assert.True(at >= 0, $"This line of a README snippet is not in docs/tour/Program.cs (in order):\n{line}\n\nsnippet:\n{snippet}");
                at++;
            }
        }
    }

    [Fact]
    public async Task The_tour_program_compiles_with_the_generator()
    {
        var source = File.ReadAllText(Path.Combine(Root, "docs", "tour", "Program.cs"));
        var compilation = GeneratorHarness.Compile(source).WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(ImplicitUsings, GeneratorHarness.ParseOptions, path: "Usings.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length); // SupportDesk and Digests
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // What a user copying the tour sees: no PromptOps warning, only the cost hints (PO0008, Info).
        var result = await PipelineHarness.RunAsync(source, ImplicitUsings);
        Assert.True(result.Diagnostics.All(d => d.Severity < DiagnosticSeverity.Warning), result.Describe());
        Assert.Contains("PO0008", result.Ids);
    }

    /// <summary>What <c>ImplicitUsings</c> gives a console project.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static List<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(GeneratorHarness.SourceDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PromptOps.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("PromptOps.sln not found above the test sources.");
    }
}
