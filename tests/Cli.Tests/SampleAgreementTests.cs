using PromptOps.Cli.Commands;
using PromptOps.Cli.Reports;
using PromptOps.Tests.Routing.Wire;
using Spectre.Console;
using SupportTriage;

namespace PromptOps.Cli.Tests;

/// <summary>
/// The SupportTriage sample run in-process on a small trace: its figures equal what <c>promptops report</c> computes from
/// the SQLite ledger it wrote; the tight-limits trace shows truncations; a custom model on an OpenAI-compatible server
/// (loopback) is used for every tier and reported as unpriced.
/// </summary>
[Collection(SampleTestGroup.Name)]
public sealed class SampleAgreementTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 200;
        return (console, output);
    }

    private static string TempLedger() => Path.Combine(Path.GetTempPath(), "promptops-sample-" + Guid.NewGuid().ToString("N") + ".db");

    [Fact]
    public async Task The_samples_figures_equal_the_reports_on_the_same_ledger()
    {
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await Desk.RunAsync(new SampleOptions("simulated", 200, null, path), console);
            Assert.True(run.ExitCode == 0, output.ToString());
            var sample = run.Figures!.Totals;

            // The trace is meant to exercise every count: refusals, cache hits, billed and cache-served tokens.
            Assert.True(sample.Refused > 0 && sample.CacheHits > 0 && sample.CacheServedOutputTokens > 0, output.ToString());
            Assert.Equal(sample.Requests, sample.ProviderCalls + sample.CacheHits + sample.Refused + sample.Cancelled);
            Assert.Equal(run.ProviderCallCount, (int)sample.ProviderCalls); // the provider's own count

            var (catalog, _, _) = Catalogs.Load(null);
            var (ledger, _) = Ledgers.PriceUnpriced(Ledgers.Load(path), catalog);
            var report = LedgerReport.Create(Path.GetFileName(path), ledger, null, null, null, null, 2.0, null).Daily.Totals;
            Assert.Equal(sample.Requests, report.Requests);
            Assert.Equal(sample.ProviderCalls, report.ProviderCalls);
            Assert.Equal(sample.Refused, report.Refused);
            Assert.Equal(sample.CacheHits, report.CacheHits);
            Assert.Equal(sample.BilledInputTokens, report.BilledInputTokens);
            Assert.Equal(sample.BilledOutputTokens, report.BilledOutputTokens);
            Assert.Equal(sample.CacheServedInputTokens, report.CacheServedInputTokens);
            Assert.Equal(sample.CacheServedOutputTokens, report.CacheServedOutputTokens);
            Assert.Equal(sample.CostUsd, report.CostUsd);
            Assert.Equal(sample.CostSavedUsd, report.CostSavedUsd);
            Assert.Equal(sample.Truncated, report.Truncated);
            Assert.Equal(sample.Escalations, report.Escalations);

            // And both print them: the sample's rows and the report's calls line.
            var printed = output.ToString();
            Assert.Contains($"{sample.BilledInputTokens:N0} / {sample.BilledOutputTokens:N0}", printed, StringComparison.Ordinal);
            Assert.Contains($"{sample.CacheServedInputTokens:N0} / {sample.CacheServedOutputTokens:N0}", printed, StringComparison.Ordinal);
            var cli = await Cli.RunAsync("report", path);
            Assert.True(cli.Exit == 0, cli.Err);
            Assert.Contains($"{sample.Requests:N0} requests, spent ${sample.CostUsd:N4}", cli.Out, StringComparison.Ordinal);
            Assert.Contains($"{sample.ProviderCalls:N0} provider calls; tokens billed {sample.BilledInputTokens:N0} in / {sample.BilledOutputTokens:N0} out; " +
                            $"served from cache (not billed) {sample.CacheServedInputTokens:N0} in / {sample.CacheServedOutputTokens:N0} out", cli.Out, StringComparison.Ordinal);
            Assert.Contains($"{sample.Refused:N0} refused", cli.Out, StringComparison.Ordinal);

            // Three baselines by default; the one with the same limits has no output-limit lever; the rows add up.
            Assert.Equal(3, run.Savings.Count);
            Assert.Null(run.Savings[2].Limits);
            Assert.All(run.Savings, s => Assert.Equal(s.BaselineCost - s.Spent, s.Routing + (s.Limits ?? 0) + s.Cache + s.Interaction + s.Refusals));
            Assert.All(run.Savings, s => Assert.Equal(sample.CostUsd, s.Spent));
            // Routing sends summaries and answers to the balanced tier, which costs more than gpt-4o-mini: shown negative, not hidden.
            Assert.True(run.Savings[1].Routing < 0, $"routing vs gpt-4o-mini: {run.Savings[1].Routing}");
            Assert.True(run.Savings[0].Routing > 0, $"routing vs {run.Savings[0].Baseline.Model}: {run.Savings[0].Routing}");
            Assert.Contains("Assumes: the SIMULATED provider's lengths", printed, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task Tight_limits_cut_answers_off_and_the_default_trace_does_not()
    {
        var normal = TempLedger();
        var tight = TempLedger();
        try
        {
            var (c1, o1) = Console();
            var a = await Desk.RunAsync(new SampleOptions("simulated", 120, null, normal, BaselineModel: "gpt-4o-mini", BaselineLimits: true), c1);
            var (c2, o2) = Console();
            var b = await Desk.RunAsync(new SampleOptions("simulated", 120, null, tight, BaselineModel: "gpt-4o-mini", BaselineLimits: true, TightLimits: true), c2);
            Assert.Equal(0, a.Figures!.Totals.Truncated);
            Assert.True(b.Figures!.Totals.Truncated > 0, o2.ToString());
            Assert.Contains("answers cut off at the output limit (truncated)", o1.ToString(), StringComparison.Ordinal);
            Assert.Contains("escalations (ledger)", o2.ToString(), StringComparison.Ordinal);

            // The report counts the same cut-off answers from the ledger.
            var cli = await Cli.RunAsync("report", tight);
            Assert.Contains($"Cut off: {b.Figures.Totals.Truncated:N0} answers ended on their output-token limit", cli.Out, StringComparison.Ordinal);
            Assert.Single(b.Savings);
            Assert.Equal("gpt-4o-mini, same limits", b.Savings[0].Baseline.Label);
        }
        finally
        {
            LedgerFile.Delete(normal);
            LedgerFile.Delete(tight);
        }
    }

    [Fact]
    public async Task A_weak_cheap_model_shows_escalations_and_the_provider_calls_still_agree()
    {
        var weak = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await Desk.RunAsync(new SampleOptions("simulated", 200, null, weak, BaselineModel: "gpt-4o-mini", WeakCheapModel: true), console);
            var text = output.ToString();
            Assert.True(run.Figures!.Totals.Escalations > 0, text);
            Assert.Contains("(the provider counted the same)", text, StringComparison.Ordinal); // escalations and longer retries are calls
            Assert.DoesNotContain("the provider counted ", text.Replace("(the provider counted the same)", "", StringComparison.Ordinal), StringComparison.Ordinal);

            // The report shows the escalations per prompt from the ledger.
            var cli = await Cli.RunAsync("report", weak);
            Assert.Contains("escalat", cli.Out, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            LedgerFile.Delete(weak);
        }
    }

    /// <summary>A loopback OpenAI-compatible server that answers the sample's prompts: a label, a yes/no, or a sentence.</summary>
    private static async Task<OpenAiCompatibleServer> SupportServerAsync()
    {
        var server = await OpenAiCompatibleServer.StartAsync();
        server.Default = r => Reply.Ok(
            r.Body.ToJsonString().Contains("exactly one of", StringComparison.Ordinal) ? "Billing"
            : r.Body.ToJsonString().Contains("yes or no", StringComparison.Ordinal) ? "no" : "Reset it from the sign-in page.",
            promptTokens: 40, completionTokens: 8, model: r.Model);
        return server;
    }

    [Fact]
    public async Task A_custom_model_on_an_openai_compatible_server_serves_every_tier_and_is_reported_unpriced()
    {
        await using var server = await SupportServerAsync();
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await WithOpenAiAsync(server.Endpoint, "llama3.1", () => Desk.RunAsync(new SampleOptions("openai", 40, null, path), console));
            Assert.True(run.ExitCode == 0, output.ToString());
            var t = run.Figures!.Totals;
            Assert.Equal(0, t.Refused); // the plans' model lists do not refuse the only model the server has
            Assert.True(t.ProviderCalls > 0);
            Assert.All(server.Requests, r => Assert.Equal("llama3.1", r.Model));
            Assert.Equal(t.ProviderCalls, server.Requests.Count);
            Assert.Equal(t.ProviderCalls, t.UnpricedRequests); // unknown cost, never $0
            Assert.Contains($"{t.ProviderCalls:N0} unpriced calls (cost unknown)", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("llama3.1 has no price in the catalogue", output.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("saved, all levers", output.ToString(), StringComparison.Ordinal); // no "% saved" from an unknown cost
            Assert.Empty(run.Savings);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task A_run_that_answers_nothing_exits_non_zero()
    {
        await using var server = await OpenAiCompatibleServer.StartAsync();
        server.Default = _ => Reply.Status(401);
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await WithOpenAiAsync(server.Endpoint, "llama3.1", () => Desk.RunAsync(new SampleOptions("openai", 12, null, path), console));
            Assert.Equal(1, run.ExitCode);
            Assert.Equal(0, run.Figures!.Totals.Succeeded);
            Assert.Equal(12, run.Figures.Totals.Failed); // each provider error is a failed call in the ledger
            Assert.Matches(@"replies that matched no label\s+│\s+0 │", output.ToString()); // not mixed up with provider errors
            Assert.Contains("none of the 12 requests was answered", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Theory]
    [InlineData(new[] { "--baseline-limits" }, "--baseline-limits applies to the baseline named by --baseline-model.")]
    [InlineData(new[] { "--baseline-model" }, "--baseline-model needs a value.")]
    [InlineData(new[] { "--baseline-model", "--tight-limits" }, "--baseline-model needs a model id, for example gpt-4o-mini.")]
    [InlineData(new[] { "--tigth-limits" }, "unknown argument '--tigth-limits'.")]
    public void Bad_sample_arguments_are_named(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => SampleOptions.Parse(args)).Message);

    [Fact]
    public async Task An_unpriced_baseline_model_is_refused_with_a_clear_message()
    {
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await Desk.RunAsync(new SampleOptions("simulated", 20, null, path, BaselineModel: "acme-9000"), console);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("the baseline model 'acme-9000' has no price in the catalogue", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    /// <summary>Sets the OpenAI environment variables the sample reads for the duration of <paramref name="run"/> (the collection runs these tests one at a time).</summary>
    private static async Task<T> WithOpenAiAsync<T>(Uri endpoint, string model, Func<Task<T>> run, string? fastCheapModel = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["OPENAI_API_KEY"] = "test-key",
            ["OPENAI_BASE_URL"] = endpoint.ToString(),
            ["OPENAI_MODEL"] = model,
            ["OPENAI_MODEL_FAST_CHEAP"] = fastCheapModel,
        };
        var saved = values.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in values) Environment.SetEnvironmentVariable(name, value);
        try
        {
            return await run();
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public async Task A_tier_can_name_its_own_model_and_the_rest_use_the_custom_one()
    {
        await using var server = await SupportServerAsync();
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await WithOpenAiAsync(server.Endpoint, "llama3.1", () => Desk.RunAsync(new SampleOptions("openai", 40, null, path), console), fastCheapModel: "gpt-4o-mini");
            Assert.True(run.ExitCode == 0, output.ToString());
            Assert.Equal(0, run.Figures!.Totals.Refused);
            // Classification and urgency are fast_cheap → gpt-4o-mini (priced); summaries and answers are balanced → llama3.1 (unpriced).
            Assert.Equal(["gpt-4o-mini", "llama3.1"], server.Requests.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal));
            Assert.Equal(server.Requests.Count(r => r.Model == "llama3.1"), run.Figures.Totals.UnpricedRequests);
            Assert.Contains("fast_cheap → gpt-4o-mini, balanced → llama3.1", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }
}

/// <summary>The sample tests share process-wide state (environment variables, the console culture): one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SampleTestGroup
{
    public const string Name = "SupportTriage sample";
}
