namespace PromptOps.Benchmarks.Figures;

/// <summary>A named figure generator: what it measures, and the code that measures it and writes its markdown.</summary>
/// <param name="Name">The marker name (<c>&lt;!-- figures:NAME --&gt;</c>) and the argument of <c>benchmarks/figures.sh NAME</c>.</param>
/// <param name="Description">One line for the console.</param>
/// <param name="Slow">Left out of a run without names (it takes longer than the whole default run); run it by name.</param>
/// <param name="RunAsync">Measures and returns the block and the summary rows.</param>
/// <param name="Readme">The README that holds the block: benchmarks/README.md for a benchmark, README.md for most results.</param>
/// <param name="Command">For a result (<see cref="ResultFigures"/>): the command whose output holds the block, shown in the block's stamp.</param>
internal sealed record FigureGenerator(string Name, string Description, bool Slow, Func<Task<FigureOutput>> RunAsync, string Readme = "benchmarks/README.md", IReadOnlyList<string>? Command = null)
{
    /// <summary>
    /// A figure that a test, the sample or a script computes and prints (<see cref="ResultFigures"/>): costs, token
    /// counts, sizes and times that are not benchmarks. Deterministic ones are also checked by the test that prints them
    /// (it fails when the README block no longer holds its lines), so a code change that moves them cannot go unnoticed.
    /// </summary>
    public static FigureGenerator Result(string name, string readme, string description, bool slow, TimeSpan timeout, params string[] command) =>
        new(name, description, slow, () => ResultFigures.RunAsync(name, command, timeout), readme, command);
}

/// <summary>
/// Every figure generator. Each README block <c>&lt;!-- figures:NAME --&gt;</c> is written from the generator of that
/// name (README.md's <see cref="SummaryMarker"/> from all of them); a block with no generator here is an error of
/// <c>--figures</c> and of the test that reads this file (tests/Generators.Tests, <c>ReadmeFiguresTests</c>).
/// </summary>
internal static class FigureCatalog
{
    /// <summary>README.md's summary table: the rows of every generator.</summary>
    public const string SummaryMarker = "summary";

    /// <summary>The generators, in the order of the summary table.</summary>
    public static readonly IReadOnlyList<FigureGenerator> All =
    [
        new FigureGenerator("cache-hit", "L1 cache hit against M.E.AI's DistributedCachingChatClient and HybridCache", false, CacheFigures.CacheHitAsync),
        new FigureGenerator("time-sensitivity", "TimeSensitivity.Find against a Regex alternation", false, CacheFigures.TimeSensitivityAsync),
        new FigureGenerator("token-count", "o200k token counts against SharpToken", false, TokenFigures.RunAsync),
        new FigureGenerator("generator", "the generator cold and incremental against [LoggerMessage] and the Roslyn floor", false, GeneratorFigures.RunAsync),
        new FigureGenerator("analyzer-build", "the analyzers in a real build of the prompt-free project (benchmarks/analyzer-report.sh, minutes)", true, AnalyzerBuildFigures.RunAsync),
        new FigureGenerator("cascade-cost", "cascade cost simulation (deterministic)", false, SimulationFigures.CascadeAsync),
        new FigureGenerator("batch-overhead", "batch processor overhead simulation (deterministic)", false, SimulationFigures.BatchAsync),
        new FigureGenerator("ledger-write", "ledger writes into SQLite against a raw batched insert", false, LedgerFigures.WriteAsync),
        new FigureGenerator("daily-report", "daily report over 1,000,000 records against LINQ GroupBy", false, LedgerFigures.DailyAsync),
        new FigureGenerator("semantic-lookup", "semantic lookup in 100,000 entries against a brute-force scan", false, SemanticFigures.RunAsync),
        new FigureGenerator("budget-reserve", "in-memory budget reserve + settle against ConcurrencyLimiter", false, BudgetFigures.InMemoryAsync),
        new FigureGenerator("redis-reserve", "Redis budget reserve against a plain INCRBYFLOAT round trip", false, BudgetFigures.RedisAsync),
        new FigureGenerator("first-response", "time to the first response of a cold PromptOps-only process against an M.E.AI app", false, FirstResponseFigures.RunAsync),

        // Results: computed by a test, the sample or a script, taken from what it prints (README.md unless said).
        FigureGenerator.Result("sample", "README.md", "the sample's saving by lever on its default trace", false, Minutes(15),
            "dotnet", "run", "--project", "samples/SupportTriage", "-c", "Release", "--", "--markdown"),
        FigureGenerator.Result("conversation-budget", "README.md", "input tokens of a 50-turn conversation with and without the conversation budget", false, Minutes(20),
            DotnetTest("tests/Runtime.Tests", "FullyQualifiedName~ConversationBudgetGoalTests")),
        FigureGenerator.Result("provider-cache", "README.md", "the provider prompt cache's savings in the ledger against the price sheet", false, Minutes(20),
            DotnetTest("tests/Runtime.Tests", "FullyQualifiedName~Caching.Provider&FullyQualifiedName~Goal")),
        FigureGenerator.Result("provider-batches", "README.md", "1,000 deferrable calls through provider batches, the first process killed", false, Minutes(20),
            DotnetTest("tests/Batching.Tests", "FullyQualifiedName~RestartTests")),
        FigureGenerator.Result("fresh-build", "README.md", "the warnings of a real dotnet build of a fresh project with the packed package (packs, minutes)", true, Minutes(30),
            DotnetTest("tests/Package.Tests", "FullyQualifiedName~FreshProjectTests")),
        FigureGenerator.Result("package-graph", "README.md", "what a PromptOps-only project restores, publishes and loads (packs, minutes)", true, Minutes(30),
            DotnetTest("tests/Package.Tests", "FullyQualifiedName~PackageGraphTests")),
        FigureGenerator.Result("compression-corpus", "benchmarks/README.md", "the compressor on 1,259 public prompts, development and held-out parts", false, Minutes(20),
            DotnetTest("tests/Analyzers.Tests", "FullyQualifiedName~PublicCorpusReportTests.Baseline_report")),
        FigureGenerator.Result("test-time", "README.md", "the test command on a fresh clone of HEAD (CI=true .ci/run; the whole suite, 10-30 minutes)", true, Minutes(90),
            "bash", "benchmarks/test-time.sh"),
    ];

    private static TimeSpan Minutes(int minutes) => TimeSpan.FromMinutes(minutes);

    /// <summary>
    /// <c>dotnet test</c> of one filter with the detailed console logger: a test's <c>[figures:NAME:KEY]</c> lines
    /// (tests/Shared/ReadmeFigure.cs) reach the output only with it.
    /// </summary>
    private static string[] DotnetTest(string project, string filter) =>
        ["dotnet", "test", project, "-c", "Release", "--filter", filter, "--logger", "console;verbosity=detailed"];

    /// <summary>The generator named <paramref name="name"/>, or null.</summary>
    public static FigureGenerator? Find(string name) => All.FirstOrDefault(g => g.Name == name);
}
