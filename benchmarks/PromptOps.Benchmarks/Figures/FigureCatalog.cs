namespace PromptOps.Benchmarks.Figures;

/// <summary>A named figure generator: what it measures, and the code that measures it and writes its markdown.</summary>
/// <param name="Name">The marker name (<c>&lt;!-- figures:NAME --&gt;</c>) and the argument of <c>benchmarks/figures.sh NAME</c>.</param>
/// <param name="Description">One line for the console.</param>
/// <param name="Slow">Left out of a run without names (it takes longer than the whole default run); run it by name.</param>
/// <param name="RunAsync">Measures and returns the block and the summary rows.</param>
internal sealed record FigureGenerator(string Name, string Description, bool Slow, Func<Task<FigureOutput>> RunAsync);

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
    ];

    /// <summary>The generator named <paramref name="name"/>, or null.</summary>
    public static FigureGenerator? Find(string name) => All.FirstOrDefault(g => g.Name == name);
}
