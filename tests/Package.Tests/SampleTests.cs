using PromptOps.Tests.Shared;

namespace PromptOps.Package.Tests;

/// <summary>The README's main command: the SupportTriage sample runs offline and meets its goal on the default trace.</summary>
[Trait("Needs", "package")]
public sealed class SampleTests
{
    [Fact]
    public async Task The_support_triage_sample_runs_offline_and_saves_at_least_80_percent()
    {
        var ledger = Path.Combine(Path.GetTempPath(), $"promptops-sample-{Guid.NewGuid():N}.db");
        (int ExitCode, string Output) run;
        try
        {
            run = await DotNet.RunAsync(DotNet.RepositoryRoot, TimeSpan.FromMinutes(10), "run", "--project", Path.Combine("samples", "SupportTriage"), "-c", "Release", "--", "--ledger", ledger, "--markdown");
            Assert.True(File.Exists(ledger), "the sample wrote no ledger:\n" + run.Output);
        }
        finally
        {
            foreach (var f in new[] { ledger, ledger + "-wal", ledger + "-shm" }) File.Delete(f);
        }

        Assert.True(run.ExitCode == 0, "the sample failed:\n" + run.Output);
        Assert.Contains("provider: SIMULATED", run.Output, StringComparison.Ordinal);
        Assert.Contains("PromptOps: 600/600 requests", run.Output, StringComparison.Ordinal);
        Assert.Contains("(goal ≥ 80%: met)", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"replies that matched no label\s+│\s+0 │", run.Output);
        // The free user's burst of 30 requests in one day: the free plan's 10 a day are served, the rest refused.
        Assert.Contains("plan.daily_requests × 20", run.Output, StringComparison.Ordinal);
        Assert.Contains("→ OnTrack", run.Output, StringComparison.Ordinal);
        Assert.Contains("Ledger: ", run.Output, StringComparison.Ordinal);
        // Provider calls are the ledger's (refusals are not calls) and the simulated provider counted the same.
        Assert.Contains("(the provider counted the same)", run.Output, StringComparison.Ordinal);
        Assert.Matches(@"answers cut off at the output limit \(truncated\)\s+│\s+0 │", run.Output);
        Assert.Contains("tokens served from cache, not billed (input / output)", run.Output, StringComparison.Ordinal);
        // The saving by lever against the three default baselines, with what it assumes.
        Assert.Contains("Saved, by lever", run.Output, StringComparison.Ordinal);
        foreach (var baseline in new[] { "vs claude-sonnet-4-5, no limits", "vs gpt-4o-mini, no limits", "vs gpt-4o-mini, same limits" })
        {
            Assert.Contains(baseline, run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Assumes: the SIMULATED provider's lengths", run.Output, StringComparison.Ordinal);
        // The README's table (figures:sample) is what this run printed with --markdown: the trace and the simulated provider are fixed.
        var lines = run.Output.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        var open = lines.IndexOf("<!-- figures:sample -->");
        var close = lines.IndexOf("<!-- /figures:sample -->");
        Assert.True(open >= 0 && close > open, "--markdown printed no figures:sample block:\n" + run.Output);
        ReadmeFigure.AssertInReadme("sample", lines[(open + 1)..close]);
    }

    [Fact]
    public async Task The_sample_rejects_bad_arguments_with_one_line()
    {
        var run = await DotNet.RunAsync(DotNet.RepositoryRoot, TimeSpan.FromMinutes(10), "run", "--project", Path.Combine("samples", "SupportTriage"), "-c", "Release", "--", "--requests", "lots");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("SupportTriage: --requests must be a positive number, not 'lots'.", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }
}
