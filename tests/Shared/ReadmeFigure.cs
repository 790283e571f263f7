using System.Runtime.CompilerServices;
using Xunit;
using Xunit.Abstractions;

namespace PromptOps.Tests.Shared;

/// <summary>
/// README figures that a test computes (costs, token counts): the test prints its lines tagged
/// <c>[figures:NAME:KEY] line</c>, <c>benchmarks/figures.sh NAME</c> runs the test and writes the lines, sorted by KEY,
/// into the README's <c>&lt;!-- figures:NAME --&gt;</c> block; a test whose figures are deterministic also checks that
/// the block still holds its lines, so a change that moves them fails here until the figures are regenerated (except
/// while <c>benchmarks/figures.sh</c> runs the test to regenerate that block: it sets PROMPTOPS_FIGURES_REGENERATING).
/// Linked into each test project that prints a figure (one file, no project reference).
/// </summary>
internal static class ReadmeFigure
{
    /// <summary>Prints <paramref name="lines"/> (key, Markdown line) for the block <paramref name="figure"/>.</summary>
    public static void Print(ITestOutputHelper output, string figure, params (string Key, string Line)[] lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var (key, line) in lines) output.WriteLine($"[figures:{figure}:{key}] {line}");
    }

    /// <summary>
    /// Fails unless the block <paramref name="figure"/> of <paramref name="readme"/> (a path from the repository root)
    /// holds every line of <paramref name="lines"/>.
    /// </summary>
    public static void AssertInReadme(string figure, IEnumerable<string> lines, string readme = "README.md")
    {
        ArgumentNullException.ThrowIfNull(lines);
        // benchmarks/figures.sh NAME is running this test to rewrite the block from what it prints: nothing to check against yet.
        if (Environment.GetEnvironmentVariable("PROMPTOPS_FIGURES_REGENERATING") == figure) return;
        var path = Path.Combine(RepositoryRoot(), readme);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var open = $"<!-- figures:{figure} -->\n";
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = text.IndexOf($"<!-- /figures:{figure} -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{readme} has no figures:{figure} block.");
        var block = text[(start + open.Length)..end].Split('\n');
        foreach (var line in lines)
        {
            Assert.True(block.Contains(line),
                $"{readme}'s figures:{figure} block does not hold what this test measured (the code changed the figure): run benchmarks/figures.sh {figure}.\n" +
                $"measured: {line}\nblock:\n{string.Join('\n', block)}");
        }
    }

    /// <summary>The repository's root: two folders above this file (tests/Shared).</summary>
    private static string RepositoryRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));
}
