using PromptOps.Tests.Pricing;
using Spectre.Console;
using SupportTriage;

namespace PromptOps.Cli.Tests;

/// <summary>
/// The sample's <c>--provider anthropic</c>: Anthropic's official SDK against a loopback Messages API server
/// (<see cref="AnthropicMessagesServer"/>, shared with the runtime's Anthropic wire tests), each tier on the catalogue's
/// Claude model for it; a missing key or a bad base URL is refused with a message that names the variable.
/// </summary>
[Collection(SampleTestGroup.Name)]
public sealed class SampleAnthropicTests
{
    private static (IAnsiConsole Console, StringWriter Output) Console()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 200;
        return (console, output);
    }

    private static string TempLedger() => Path.Combine(Path.GetTempPath(), "promptops-sample-" + Guid.NewGuid().ToString("N") + ".db");

    /// <summary>Sets the Anthropic environment variables the sample reads for the duration of <paramref name="run"/> (the collection runs these tests one at a time).</summary>
    private static async Task<T> WithAnthropicAsync<T>(string? key, string? baseUrl, Func<Task<T>> run)
    {
        var values = new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = key, ["ANTHROPIC_BASE_URL"] = baseUrl };
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
    public async Task The_trace_runs_through_Anthropics_SDK_on_the_catalogues_Claude_models_and_is_priced()
    {
        await using var server = await AnthropicMessagesServer.StartAsync();
        server.Text = "Billing";
        server.Usage = new AnthropicUsage(60, 0, 0, 4);
        var path = TempLedger();
        try
        {
            var (console, output) = Console();
            var run = await WithAnthropicAsync("sk-ant-test", server.BaseUrl, () => Desk.RunAsync(new SampleOptions("anthropic", 40, null, path), console));
            Assert.True(run.ExitCode == 0, output.ToString());
            var t = run.Figures!.Totals;
            Assert.Equal(0, t.Refused); // every plan may use the Claude models its own list reaches
            Assert.True(t.ProviderCalls > 0);
            Assert.Equal(t.ProviderCalls, server.Requests.Count);
            Assert.Equal(0, t.UnpricedRequests); // the answers' dated id is priced as its family
            // The trace's tasks are fast_cheap and balanced (claude-haiku-4-5); a reply that matches no label ("Billing" to a
            // yes/no) is asked again one tier up (claude-sonnet-4-5). Each request carries its task's output limit as max_tokens.
            Assert.All(server.Requests, r =>
            {
                Assert.Contains(r["model"]!.GetValue<string>(), (string[])["claude-haiku-4-5", "claude-sonnet-4-5"]);
                Assert.InRange(r["max_tokens"]!.GetValue<int>(), 1, 200);
            });
            Assert.Contains(server.Requests, r => r["model"]!.GetValue<string>() == "claude-haiku-4-5");
            Assert.Contains($"Anthropic ({new Uri(server.BaseUrl).Authority}), fast_cheap → claude-haiku-4-5, balanced → claude-haiku-4-5, " +
                            "high_quality → claude-sonnet-4-5, best → claude-sonnet-4-5", output.ToString(), StringComparison.Ordinal);
            Assert.Empty(run.Savings); // the levers are measured on the simulated provider only
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task A_missing_key_is_refused_with_a_message_naming_it()
    {
        var (console, output) = Console();
        var run = await WithAnthropicAsync(null, null, () => Desk.RunAsync(new SampleOptions("anthropic", 10, null, TempLedger()), console));
        Assert.Equal(2, run.ExitCode);
        Assert.Null(run.Figures);
        Assert.Contains("SupportTriage: --provider anthropic needs ANTHROPIC_API_KEY", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_base_url_that_is_not_an_http_url_is_refused_with_a_message_naming_it()
    {
        var (console, output) = Console();
        var run = await WithAnthropicAsync("sk-ant-test", "api.anthropic.com", () => Desk.RunAsync(new SampleOptions("anthropic", 10, null, TempLedger()), console));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("ANTHROPIC_BASE_URL must be an absolute http(s) URL such as https://api.anthropic.com, not 'api.anthropic.com'.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_provider_option_takes_anthropic_and_names_the_choices_otherwise()
    {
        Assert.Equal("anthropic", SampleOptions.Parse(["--provider", "Anthropic"]).Provider);
        Assert.Equal("unknown provider 'claude' (simulated, openai or anthropic).",
            Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--provider", "claude"])).Message);
        Assert.Equal("--weak-cheap-model applies to the simulated provider.",
            Assert.Throws<ArgumentException>(() => SampleOptions.Parse(["--provider", "anthropic", "--weak-cheap-model"])).Message);
    }

    [Fact]
    public void Every_plan_keeps_a_Claude_model_of_the_tiers_it_reached()
    {
        var options = new PromptOpsOptions();
        Desk.AnthropicTiers(Desk.AnthropicTierModels())(options);
        Assert.Equal(["claude-haiku-4-5"], options.Plans.Definitions["free"].Models);
        Assert.Equal(["claude-haiku-4-5", "claude-sonnet-4-5"], options.Plans.Definitions["pro"].Models!.Order(StringComparer.Ordinal));
        Assert.Equal("claude-sonnet-4-5", options.Routing.Models["best"]);
        var catalog = new PromptOps.Pricing.PriceCatalog();
        Assert.All(Desk.AnthropicTierModels().Values, m => Assert.True(catalog.TryGetPrice(m, out var p) && p.Provider == "anthropic", m));
    }
}
