using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace PromptOps.Benchmarks;

/// <summary>
/// A short job for a 2-core machine: one process launch, measured iterations of ~100 ms each, memory diagnoser,
/// rows in declaration order (the anchor first). Every suite compares against its <c>Baseline = true</c> anchor in
/// the same run, so the goals are stated as ratios, not absolute times.
/// <para>Many short measured iterations (30): bursts of load from other processes land in a few iterations, which
/// the outlier filter drops and the median ignores.</para>
/// </summary>
public abstract class QuickConfig : ManualConfig
{
    protected QuickConfig(int warmupCount, int iterationMilliseconds = 100)
    {
        AddJob(Job.Default
            .WithId("Quick")
            .WithLaunchCount(1)
            .WithWarmupCount(warmupCount)
            .WithIterationCount(30)
            .WithIterationTime(TimeInterval.FromMilliseconds(iterationMilliseconds)));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median);
        WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
        WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared));

        // BenchmarkDotNet's default (2 minutes) is too short for building the benchmark project while other agents
        // build on the same 2 cores: the build was killed at 120 s.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}

/// <summary>
/// The cache suite: 200 warm-up iterations (~20 s of continuous calls). The anchor's hit path (System.Text.Json
/// serialization of the request for its key, SHA-384, JSON deserialization of the stored response) is ~1,200
/// methods; under tiered compilation and dynamic PGO it kept getting faster for ~15 s on this machine
/// (~60 us/op at first, ~15 us/op after 4 s, ~9.5 us/op after ~15 s). Measuring it before that plateau would
/// flatter PromptOps, whose hit path is at its steady state within the first second.
/// </summary>
public sealed class CacheConfig : QuickConfig
{
    public CacheConfig()
        : base(warmupCount: 200)
    {
    }
}

/// <summary>The token-count suite: 30 warm-up iterations (~3 s); both tokenizers reach their steady state quickly.</summary>
public sealed class TokenConfig : QuickConfig
{
    public TokenConfig()
        : base(warmupCount: 30)
    {
    }
}

/// <summary>
/// The generator suite: one run of a generator over 1,000 methods takes ~30 to ~800 ms, so iterations are ~500 ms
/// (one run for the slowest rows, several for the fastest); 15 warm-up iterations (~8 s) let Roslyn's and the
/// generators' code reach tier-1 JIT first.
/// </summary>
public sealed class GeneratorConfig : QuickConfig
{
    public GeneratorConfig()
        : base(warmupCount: 15, iterationMilliseconds: 500)
    {
    }
}

/// <summary>
/// The analyzer suite: one compile of 1,000 files takes ~1–3 s, so each iteration is one operation; 5 warm-up
/// iterations let Roslyn's and the analyzers' code reach tier-1 JIT first.
/// </summary>
public sealed class AnalyzerConfig : QuickConfig
{
    public AnalyzerConfig()
        : base(warmupCount: 5, iterationMilliseconds: 500)
    {
    }
}

/// <summary>
/// The semantic-cache suites: 10 warm-up iterations of ~200 ms; one operation takes ~0.05–10 ms (a lookup, an
/// embedding, a miss through the cache).
/// </summary>
public sealed class SemanticConfig : QuickConfig
{
    public SemanticConfig()
        : base(warmupCount: 10, iterationMilliseconds: 200)
    {
    }
}
