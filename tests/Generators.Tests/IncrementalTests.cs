extern alias generators;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PromptOps.Generators.Tests.Infrastructure;
using Names = generators::PromptOps.Generators.PromptGenerator.TrackingNames;

namespace PromptOps.Generators.Tests;

/// <summary>The pipeline caches: an unrelated edit re-emits nothing; an attribute edit re-emits the affected type.</summary>
public class IncrementalTests
{
    private const string Prompts = """
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using PromptOps;

        namespace App;

        public partial class Triage(IChatClient chat)
        {
            [Prompt(Task = "classification", User = "{ticket}")]
            public partial Task<string> ClassifyAsync(string ticket);

            [Prompt(Task = "summary", User = "{text}")]
            public partial Task<string> SummarizeAsync(string text);
        }
        """;

    private const string Other = """
        namespace App;

        public class Unrelated
        {
            public int Add(int a, int b) => a + b;
        }
        """;

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Prompts, Other);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var otherTree = compilation.SyntaxTrees.Single(t => t.FilePath == "Source1.cs");
        var edited = compilation.ReplaceSyntaxTree(otherTree,
            CSharpSyntaxTree.ParseText(Other.Replace("a + b", "a + b + 0", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "Source1.cs"));

        driver = driver.RunGenerators(edited);

        foreach (var step in new[] { Names.Methods, Names.Valid, Names.Collected, Names.ByType })
        {
            Assert.All(Reasons(driver, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }

        Assert.All(driver.GetRunResult().Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void Editing_a_method_body_elsewhere_in_the_same_file_keeps_the_specs_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Source0.cs");
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(
            Prompts.Replace("namespace App;", "namespace App;\n// a comment that changes the file", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "Source0.cs"));

        driver = driver.RunGenerators(edited);

        // The transform re-ran for the edited file, but produced equal specs: everything after it is cached.
        Assert.All(Reasons(driver, Names.Methods), r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.ToString()));
        Assert.All(Reasons(driver, Names.ByType), r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.ToString()));
    }

    [Fact]
    public void An_attribute_edit_modifies_that_method_and_re_emits_its_type()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Source0.cs");
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(
            Prompts.Replace("Task = \"summary\"", "Task = \"long_summary\"", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "Source0.cs"));

        driver = driver.RunGenerators(edited);

        var methods = Reasons(driver, Names.Methods).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, methods);
        Assert.Contains(IncrementalStepRunReason.Unchanged, methods); // the other method's spec is equal
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, Names.Collected));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, Names.ByType));

        var after = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("MaxOutputTokens = 500", after, StringComparison.Ordinal);
        Assert.Contains("MaxOutputTokens = 200", before, StringComparison.Ordinal);
        Assert.NotEqual(PromptVersions(before)[1], PromptVersions(after)[1]); // the edited prompt's version changed
        Assert.Equal(PromptVersions(before)[0], PromptVersions(after)[0]);    // the other one's did not
    }

    private static List<string> PromptVersions(string source) =>
        [.. System.Text.RegularExpressions.Regex.Matches(source, "PromptVersion = \"([0-9a-f]+)\"").Select(m => m.Groups[1].Value)];
}
