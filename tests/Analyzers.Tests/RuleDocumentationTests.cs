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

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
