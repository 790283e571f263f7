using System.Text.Json;
using System.Text.RegularExpressions;
using PromptOps.Generators.Tests.Infrastructure;

namespace PromptOps.Generators.Tests;

/// <summary>
/// The READMEs' benchmark figures cannot drift from the command that measures them: every
/// <c>&lt;!-- figures:NAME --&gt;</c> block has a generator in benchmarks/PromptOps.Benchmarks/Figures/FigureCatalog.cs and
/// holds exactly what <c>benchmarks/figures.sh</c> last wrote to benchmarks/figures.json, every generator has its block,
/// and no table of measured figures (times, sizes, ratios, rates) lives outside a generated block — except in benchmarks/README.md's
/// <c>&lt;!-- history --&gt;</c> blocks, which keep earlier runs of earlier code as a record.
/// </summary>
public class ReadmeFiguresTests
{
    private static readonly string Root = FindRoot();
    private static readonly string[] Readmes = ["README.md", "benchmarks/README.md"];

    /// <summary>
    /// A markdown table row with a measured figure: a ratio (7.1×, 1.10x faster), a time, a size, a rate, a share (38.2%)
    /// or an amount of money ($0.0105).
    /// </summary>
    private static readonly Regex FigureRow = new(
        @"^\|.*(?:\d(?:[.,]\d+)?\s?(?:×|x (?:faster|slower|less|more)|[µμn]s\b|ms\b|KB\b|MB\b|GB\b|(?:[a-z]+ ?)?/s\b|s\b|B\b|%)|\$\d)",
        RegexOptions.CultureInvariant);

    private static readonly Regex Marker = new(@"^<!-- (/?)(figures:[a-z0-9-]+|history) -->$", RegexOptions.CultureInvariant);

    [Fact]
    public void Every_figures_block_has_a_generator_and_every_generator_a_block()
    {
        var (generators, summary) = Catalog();
        var results = Results();
        var blocks = Readmes.SelectMany(r => Blocks(r).Where(b => b.Name.StartsWith("figures:", StringComparison.Ordinal)).Select(b => (Readme: r, Name: b.Name["figures:".Length..]))).ToList();

        foreach (var (readme, name) in blocks)
        {
            Assert.True(name == summary || generators.Contains(name), $"{readme}: figures:{name} has no generator in FigureCatalog.cs (generators: {string.Join(", ", generators)}).");
        }

        Assert.Equal(blocks.Count, blocks.Select(b => b.Name).Distinct().Count());
        foreach (var generator in generators)
        {
            // A benchmark's block is in benchmarks/README.md; a result's (a test's, the sample's, a script's) in the README it names.
            var home = results.TryGetValue(generator, out var readme) ? readme : "benchmarks/README.md";
            Assert.True(blocks.Any(b => b.Readme == home && b.Name == generator), $"Generator {generator} has no figures:{generator} block in {home}.");
        }

        Assert.Contains(blocks, b => b.Readme == "README.md" && b.Name == summary);
    }

    [Fact]
    public void Every_figures_block_holds_what_the_figures_command_generated()
    {
        var store = Store();
        var (generators, summary) = Catalog();
        // While benchmarks/figures.sh regenerates a block from a run that includes this test (test-time runs the whole
        // suite), that block is about to be rewritten: it is not checked in that run.
        var regenerating = Environment.GetEnvironmentVariable("PROMPTOPS_FIGURES_REGENERATING");
        foreach (var generator in generators.Where(g => g != regenerating))
        {
            Assert.True(store.ContainsKey(generator), $"benchmarks/figures.json has no entry for {generator}: run benchmarks/figures.sh {generator}.");
        }

        foreach (var readme in Readmes)
        {
            foreach (var (name, content) in Blocks(readme).Where(b => b.Name.StartsWith("figures:", StringComparison.Ordinal)))
            {
                var figure = name["figures:".Length..];
                if (figure == regenerating) continue;
                if (figure == summary)
                {
                    // The summary table: exactly the stored rows of every generator, in catalog order, each ending with the
                    // command that measures it (a result generator has no summary rows).
                    var rows = content.Split('\n').Where(l => l.StartsWith('|')).Skip(2).ToList();
                    var expected = generators.Where(store.ContainsKey).SelectMany(g => store[g].Summary.Select(r => $"{r} `benchmarks/figures.sh {g}` |")).ToList();
                    Assert.True(expected.SequenceEqual(rows), $"{readme}: the summary table differs from benchmarks/figures.json (edited by hand? run benchmarks/figures.sh --render).");
                    continue;
                }

                Assert.True(store.TryGetValue(figure, out var stored), $"{readme}: figures:{figure} was never generated (run benchmarks/figures.sh {figure}).");
                Assert.True(stored.Block == content, $"{readme}: figures:{figure} differs from benchmarks/figures.json (edited by hand? run benchmarks/figures.sh --render).");
            }
        }
    }

    [Fact]
    public void No_table_of_figures_lives_outside_a_generated_block()
    {
        foreach (var readme in Readmes)
        {
            var inside = (string?)null;
            var number = 0;
            foreach (var line in File.ReadLines(Path.Combine(Root, readme)))
            {
                number++;
                if (Marker.Match(line) is { Success: true } m)
                {
                    Assert.True(readme != "README.md" || m.Groups[2].Value != "history", $"{readme}:{number}: history blocks belong in benchmarks/README.md only.");
                    inside = m.Groups[1].Value == "/" ? null : m.Groups[2].Value;
                    continue;
                }

                Assert.False(inside is null && FigureRow.IsMatch(line),
                    $"{readme}:{number}: a table row with measured figures outside a <!-- figures:NAME --> block (generate it with benchmarks/figures.sh, " +
                    $"or, for an earlier run kept as a record in benchmarks/README.md, put it in a <!-- history --> block):\n{line}");
            }

            Assert.True(inside is null, $"{readme}: the block {inside} is never closed.");
        }
    }

    [Fact]
    public void The_figure_row_pattern_recognises_measured_figures_and_nothing_else()
    {
        Assert.Matches(FigureRow, "| Cache hit (L1) | anchor | 7.0× faster (6.8–7.3×) | met |");
        Assert.Matches(FigureRow, "| PromptOps_L1Hit | 1.638 μs | 6.76x faster |");
        Assert.Matches(FigureRow, "| write | 2.6 s |");
        Assert.Matches(FigureRow, "| Ledger | 258,000 records/s |");
        Assert.Matches(FigureRow, "| allocated | 1.16 KB |");
        Assert.Matches(FigureRow, "| whole history every turn | 5,908 | 186,261 (38.2%) |");
        Assert.Matches(FigureRow, "| OpenAI (gpt-4o-mini) | 12 | 400 / 600 | $0.010500 |");
        Assert.Matches(FigureRow, "| routing | −$0.057794 |");
        Assert.DoesNotMatch(FigureRow, "| [PO0001](docs/rules/PO0001.md) | Verbose system prompt | Warning |");
        Assert.DoesNotMatch(FigureRow, "| classification | 10 | fast_cheap |");
        Assert.DoesNotMatch(FigureRow, "Not a table: 7.0× faster.");
    }

    /// <summary>The generator names registered in FigureCatalog.cs and the summary block's name.</summary>
    private static (List<string> Generators, string Summary) Catalog()
    {
        var source = File.ReadAllText(Path.Combine(Root, "benchmarks", "PromptOps.Benchmarks", "Figures", "FigureCatalog.cs"));
        var generators = Regex.Matches(source, @"(?:new FigureGenerator|FigureGenerator\.Result)\(""([a-z0-9-]+)""").Select(m => m.Groups[1].Value).ToList();
        var summary = Regex.Match(source, @"SummaryMarker = ""([a-z0-9-]+)""").Groups[1].Value;
        Assert.NotEmpty(generators);
        Assert.NotEmpty(summary);
        return (generators, summary);
    }

    /// <summary>The result generators (<c>FigureGenerator.Result("name", "readme", …)</c>) and the README each writes.</summary>
    private static Dictionary<string, string> Results()
    {
        var source = File.ReadAllText(Path.Combine(Root, "benchmarks", "PromptOps.Benchmarks", "Figures", "FigureCatalog.cs"));
        return Regex.Matches(source, @"FigureGenerator\.Result\(""([a-z0-9-]+)"", ""([^""]+)""").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    private static Dictionary<string, StoredFigure> Store() =>
        JsonSerializer.Deserialize<Dictionary<string, StoredFigure>>(File.ReadAllText(Path.Combine(Root, "benchmarks", "figures.json")))
        ?? throw new InvalidDataException("benchmarks/figures.json is empty.");

    /// <summary>The marked blocks of a README (figures:NAME and history) with their content.</summary>
    private static List<(string Name, string Content)> Blocks(string readme)
    {
        var blocks = new List<(string, string)>();
        string? open = null;
        var content = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(Root, readme)))
        {
            if (Marker.Match(line) is not { Success: true } m)
            {
                if (open is not null) content.Add(line);
                continue;
            }

            if (m.Groups[1].Value == "/")
            {
                Assert.True(open == m.Groups[2].Value, $"{readme}: <!-- /{m.Groups[2].Value} --> closes {(open is null ? "nothing" : open)}.");
                blocks.Add((open!, content.Count == 0 ? string.Empty : string.Join("\n", content) + "\n"));
                open = null;
                content.Clear();
            }
            else
            {
                Assert.True(open is null, $"{readme}: <!-- {m.Groups[2].Value} --> opens inside {open}.");
                open = m.Groups[2].Value;
            }
        }

        Assert.True(open is null, $"{readme}: {open} is never closed.");
        return blocks;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(GeneratorHarness.SourceDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PromptOps.sln"))) return dir.FullName;
        }

        throw new DirectoryNotFoundException("PromptOps.sln not found above the test sources.");
    }

    private sealed record StoredFigure(string MeasuredAt, string Machine, string Load, string Block, IReadOnlyList<string> Summary);
}
