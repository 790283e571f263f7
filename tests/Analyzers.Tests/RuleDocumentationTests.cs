using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Analyzers.Tests;

public class RuleDocumentationTests
{
    [Fact]
    public void Every_cost_rule_has_a_docs_page_a_release_entry_and_a_help_link()
    {
        var root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
        var unshipped = File.ReadAllText(Path.Combine(root, "src", "Analyzers", "AnalyzerReleases.Unshipped.md"));
        var analyzers = typeof(PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToList();
        Assert.NotEmpty(analyzers);
        foreach (var descriptor in analyzers.SelectMany(a => a.SupportedDiagnostics))
        {
            var page = Path.Combine(root, "docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}");
            Assert.Contains("# " + descriptor.Id, File.ReadAllText(page), StringComparison.Ordinal);
            Assert.Contains(descriptor.Id + " |", unshipped, StringComparison.Ordinal);
            Assert.EndsWith($"docs/rules/{descriptor.Id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_tests_copy_of_the_attributes_has_every_property_of_the_runtimes()
    {
        // The analyzer tests compile against a source copy of [Prompt] (Verify.PromptOpsAttributes); a property added to
        // the runtime's attribute and not to the copy would go untested (SemanticThreshold once did).
        var root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
        var runtime = File.ReadAllText(Path.Combine(root, "src", "Runtime", "Attributes", "PromptAttribute.cs"));
        var property = new System.Text.RegularExpressions.Regex(@"public\s+([\w?]+)\s+(\w+)\s*\{\s*get;\s*set;\s*\}");
        var expected = property.Matches(runtime).Select(m => m.Groups[1].Value + " " + m.Groups[2].Value).Order(StringComparer.Ordinal).ToList();
        var copy = Infrastructure.Verify<PromptOps.Analyzers.Rules.PromptCostAnalyzer>.PromptOpsAttributes;
        var actual = property.Matches(copy[..copy.IndexOf("CacheScopeAttribute", StringComparison.Ordinal)])
            .Select(m => m.Groups[1].Value + " " + m.Groups[2].Value).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
