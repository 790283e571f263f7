using System.Globalization;
using System.Text;

namespace PromptOps.Benchmarks.Figures;

/// <summary>
/// <c>--figures [--all] [--quick] [--render] [--check] [NAME …]</c> (also <c>benchmarks/figures.sh</c>): runs the figure
/// generators (every one that is not marked slow, all of them with <c>--all</c>, or the ones named), stores their output in benchmarks/figures.json and
/// rewrites every <c>&lt;!-- figures:NAME --&gt;</c> block of README.md and benchmarks/README.md from the store.
/// <list type="bullet">
/// <item><c>--all</c>: every generator, the slow ones too (the one command that regenerates every README figure).</item>
/// <item><c>--quick</c>: a shortened smoke run; prints the blocks and writes nothing.</item>
/// <item><c>--render</c>: measures nothing; rewrites the README blocks from the store.</item>
/// <item><c>--check</c>: measures nothing, writes nothing; fails when a README block differs from the store or names no generator.</item>
/// </list>
/// </summary>
internal static class FiguresCommand
{
    private const string StorePath = "benchmarks/figures.json";
    private static readonly string[] Readmes = ["README.md", "benchmarks/README.md"];

    public static async Task<int> RunAsync(string[] args)
    {
        var all = args.Contains("--all");
        var quick = args.Contains("--quick");
        var render = args.Contains("--render");
        var check = args.Contains("--check");
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--figures" or "--all" or "--quick" or "--render" or "--check")).ToList();
        if (unknown.Count > 0) return Fail($"Unknown option(s) {string.Join(", ", unknown)}. Usage: --figures [--all] [--quick] [--render] [--check] [NAME …]; names: {string.Join(", ", FigureCatalog.All.Select(g => g.Name))}.");

        var missing = names.Where(n => FigureCatalog.Find(n) is null).ToList();
        if (missing.Count > 0) return Fail($"No figure generator named {string.Join(", ", missing)}; there are: {string.Join(", ", FigureCatalog.All.Select(g => g.Name))}.");

        var root = RepositoryRoot();
        var store = FigureStore.Load(Path.Combine(root, StorePath));

        // Every block of the READMEs must have a generator before anything is measured (a typo should not cost a run).
        var problems = new List<string>();
        foreach (var readme in Readmes)
        {
            foreach (var name in ReadmeMarkers.Names(File.ReadAllText(Path.Combine(root, readme)), readme))
            {
                if (name != FigureCatalog.SummaryMarker && FigureCatalog.Find(name) is null) problems.Add($"{readme}: figures:{name} has no generator in FigureCatalog.");
            }
        }

        if (all && names.Count > 0) problems.Add("--all runs every generator: name none, or leave --all out.");
        if (problems.Count > 0) return Fail(string.Join(Environment.NewLine, problems));
        if (check) return Check(root, store);
        var exit = 0;

        if (!render)
        {
            InterleavedSettings.Quick = quick;
            var selected = names.Count > 0 ? names.Select(n => FigureCatalog.Find(n)!).ToList() : [.. FigureCatalog.All.Where(g => all || !g.Slow)];
            var machine = Machine.Describe();
            var failed = new List<string>();
            foreach (var generator in selected)
            {
                Console.WriteLine($"== {generator.Name}: {generator.Description} ==");
                var started = DateTimeOffset.UtcNow;
                FigureOutput output;
                string load;
                try
                {
                    using var recorder = new LoadRecorder();
                    output = await generator.RunAsync().ConfigureAwait(false);
                    load = recorder.Describe();
                }
#pragma warning disable CA1031 // one generator's failure is reported and the others still run (a long --all run is not lost to one)
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failed.Add(generator.Name);
                    Console.Error.WriteLine($"== {generator.Name} FAILED: its stored figures and README blocks are left as they were ==");
                    Console.Error.WriteLine(e);
                    Console.WriteLine();
                    continue;
                }

                var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
                var stored = new StoredFigure(started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), machine, load,
                    Stamp(generator, output.Block, started, load, quick), output.Summary);
                Console.WriteLine(stored.Block);
                foreach (var row in stored.Summary) Console.WriteLine(row);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {generator.Name} done in {seconds:F0} s =="));
                Console.WriteLine();
                if (!quick)
                {
                    // Saved after each generator (a later failure keeps what was measured), re-read first so that a run of
                    // another generator that finished meanwhile keeps its entry.
                    store = FigureStore.Load(Path.Combine(root, StorePath));
                    store[generator.Name] = stored;
                    FigureStore.Save(Path.Combine(root, StorePath), store);
                }
            }

            if (quick)
            {
                Console.WriteLine("--quick: nothing was written.");
                return failed.Count == 0 ? 0 : 1;
            }

            if (failed.Count > 0)
            {
                exit = 1;
                Console.Error.WriteLine($"{failed.Count} generator(s) failed: {string.Join(", ", failed)}; the blocks of the others are written below.");
            }
        }

        store = FigureStore.Load(Path.Combine(root, StorePath));
        foreach (var readme in Readmes)
        {
            var path = Path.Combine(root, readme);
            var text = File.ReadAllText(path);
            var updated = ReadmeMarkers.Replace(text, readme, name => Render(name, store));
            if (updated != text)
            {
                File.WriteAllText(path, updated);
                Console.WriteLine($"updated {readme}");
            }
        }

        return exit;
    }

    /// <summary>What the block named <paramref name="name"/> should hold, from the store (null: leave it, nothing stored yet).</summary>
    public static string? Render(string name, IReadOnlyDictionary<string, StoredFigure> store) =>
        name == FigureCatalog.SummaryMarker ? Summary(store) : store.TryGetValue(name, out var figure) ? figure.Block : null;

    private static string Stamp(FigureGenerator generator, string block, DateTimeOffset started, string load, bool quick)
    {
        var header = new StringBuilder();
        if (generator.Command is { } command)
        {
            // A result: what reproduces it is the command that printed it; the machine's load does not change a cost.
            header.Append(CultureInfo.InvariantCulture, $"_Printed by `{ResultFigures.Describe(command)}`, written here by `benchmarks/figures.sh {generator.Name}` on {started:yyyy-MM-dd HH:mm} UTC")
                .Append(quick ? " — a `--quick` smoke run, not for the README" : string.Empty)
                .Append("; do not edit by hand._\n\n");
            return header.Append(block.TrimEnd('\n')).Append('\n').ToString();
        }

        header.Append(CultureInfo.InvariantCulture, $"_Generated by `benchmarks/figures.sh {generator.Name}` on {started:yyyy-MM-dd HH:mm} UTC, {load}")
            .Append(quick ? " — a `--quick` smoke run, not for the README" : string.Empty)
            .Append("; do not edit by hand._\n\n");
        return header.Append(block.TrimEnd('\n')).Append('\n').ToString();
    }

    /// <summary>README.md's summary table: every stored generator's rows, in catalog order, each with the command that measures it.</summary>
    private static string Summary(IReadOnlyDictionary<string, StoredFigure> store)
    {
        var generators = FigureCatalog.All.Where(g => g.Command is null && store.ContainsKey(g.Name)).ToList();
        var measured = generators.Select(g => store[g.Name]).ToList();
        var text = new StringBuilder();
        text.Append("_Generated by `benchmarks/figures.sh` from benchmarks/figures.json; do not edit by hand. Ratios are medians of interleaved ")
            .Append("repeats (anchor and PromptOps alternating in one process), with the range over the repeats in brackets. Measured ")
            .Append(string.Join(", ", measured.Select(f => f.MeasuredAt[..10]).Distinct().Order(StringComparer.Ordinal)))
            .Append(" on ").Append(measured.Select(f => f.Machine).FirstOrDefault() ?? "—")
            .Append("; the load during each run is given with its table in benchmarks/README.md._\n\n");
        text.Append("| What | Anchor | Result | Goal | Reproduce |\n|---|---|---|---|---|\n");
        foreach (var generator in generators)
        {
            foreach (var row in store[generator.Name].Summary) text.Append(SummaryRow(row, generator.Name)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A stored summary row (<c>| what | anchor | result | goal |</c>) with the command that measures it as a last cell.</summary>
    internal static string SummaryRow(string row, string generator) => row + " `benchmarks/figures.sh " + generator + "` |";

    private static int Check(string root, IReadOnlyDictionary<string, StoredFigure> store)
    {
        var stale = new List<string>();
        foreach (var readme in Readmes)
        {
            var text = File.ReadAllText(Path.Combine(root, readme));
            foreach (var name in ReadmeMarkers.Names(text, readme))
            {
                var expected = Render(name, store);
                if (expected is null) stale.Add($"{readme}: figures:{name} has never been generated (run benchmarks/figures.sh {name}).");
                else if (ReadmeMarkers.Content(text, readme, name) != expected) stale.Add($"{readme}: figures:{name} differs from benchmarks/figures.json (edited by hand? run benchmarks/figures.sh --render).");
            }
        }

        foreach (var line in stale) Console.Error.WriteLine(line);
        Console.WriteLine(stale.Count == 0 ? "Every figure block matches benchmarks/figures.json." : $"{stale.Count} figure block(s) out of date.");
        return stale.Count == 0 ? 0 : 1;
    }

    /// <summary>The repository's root: the directory above the current one, or above the benchmark binary, that holds PromptOps.sln.</summary>
    internal static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "PromptOps.sln"))) return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("PromptOps.sln not found above the current directory or the benchmark binary; run from inside the repository.");
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
