using BenchmarkDotNet.Running;
using PromptOps.Benchmarks.Figures;

namespace PromptOps.Benchmarks;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // The README figures, measured interleaved and written between their markers (benchmarks/figures.sh).
        if (args is ["--figures", ..])
        {
            return await FiguresCommand.RunAsync(args).ConfigureAwait(false);
        }

        // Per-analyzer and per-action-kind times in one process (AnalyzerTimes), e.g. --analyzer-times 10 PromptFree.
        if (args is ["--analyzer-times", .. var rest])
        {
            var rounds = rest.Length > 0 && int.TryParse(rest[0], out var r) ? r : 10;
            var projects = rest.Skip(rest.Length > 0 && int.TryParse(rest[0], out _) ? 1 : 0).Select(Enum.Parse<AnalyzerProject>).ToList();
            await AnalyzerTimes.RunAsync(rounds, projects.Count > 0 ? projects : Enum.GetValues<AnalyzerProject>()).ConfigureAwait(false);
            return 0;
        }

        // benchmarks/analyzer-report.sh: the analyzer suite's two projects as files, to build with the real compiler.
        if (args is ["--write-analyzer-workloads", var directory])
        {
            AnalyzerWorkload.Write(directory);
            return 0;
        }

        // The cascade's cost per 1,000 requests against the best tier (a deterministic simulation; see CascadeCostSimulation).
        if (args is ["--cascade-cost", ..])
        {
            await CascadeCostSimulation.RunAsync().ConfigureAwait(false);
            return 0;
        }

        // What BatchProcessor saves on 100 short items against 100 single calls (deterministic token counts).
        if (args is ["--batch-overhead", ..])
        {
            await BatchOverheadSimulation.RunAsync().ConfigureAwait(false);
            return 0;
        }

        // The Redis budget store's round trips against INCRBYFLOAT, interleaved (RedisLatencyProbe), e.g. --redis-latency 20000.
        if (args is ["--redis-latency", .. var latencyArgs])
        {
            await RedisLatencyProbe.RunAsync(latencyArgs.Length > 0 && int.TryParse(latencyArgs[0], out var rounds) ? rounds : 20_000).ConfigureAwait(false);
            return 0;
        }

        // Where the scoped budget pair's extra time goes: subjects in and out of cache, threads on the same or other users (#19).
        if (args is ["--budget-locality"])
        {
            await BudgetLocalityProbe.RunAsync().ConfigureAwait(false);
            return 0;
        }

        // CPU and wall time of the ledger's write, load and daily-report paths over 1,000,000 records, e.g. --ledger-cpu 3.
        if (args is ["--ledger-cpu", .. var ledgerArgs])
        {
            LedgerCpuTimes.Run(ledgerArgs.Length > 0 && int.TryParse(ledgerArgs[0], out var n) ? n : 3);
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
