namespace PromptOps.Cli.Tests;

public sealed class EstimateAndPricesTests
{
    [Fact]
    public async Task Estimate_prices_the_prompt_per_model_at_the_volume_and_the_task_output_limit()
    {
        // "Classify the support ticket." is 6 o200k tokens; classification → 10 output tokens.
        // gpt-4o: (6 × 2.50 + 10 × 10.00) / 1M = $0.000115 a request; × 10,000 = $1.15.
        var run = await Cli.RunAsync("estimate", "Classify the support ticket.", "-m", "gpt-4o", "--task", "classification");
        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Err);
        Assert.Contains("o200k 6 tokens", run.Out, StringComparison.Ordinal);
        Assert.Contains("10 output tokens (classification); 10,000 requests a month", run.Out, StringComparison.Ordinal);
        var row = Row(run.Out, "gpt-4o");
        Assert.Equal(["gpt-4o", "high_quality", "o200k_base", "6", "$0.000115", "$1.15"], row);
    }

    [Fact]
    public async Task Estimate_reads_a_file_and_applies_the_volume_output_and_cached_share()
    {
        var path = Cli.TempFile("Classify the support ticket.");
        try
        {
            // gpt-4o-mini: 6 input tokens, 40% cached → round(2.4) = 2 cached: (4 × 0.15 + 2 × 0.075 + 100 × 0.60) / 1M
            // = $0.00006075; × 1,000,000 requests = $60.75.
            var run = await Cli.RunAsync("estimate", "--file", path, "-m", "gpt-4o-mini", "-n", "1000000", "-o", "100", "--cached-share", "0.4");
            Assert.Equal(0, run.Exit);
            Assert.Equal(["gpt-4o-mini", "fast_cheap", "o200k_base", "6", "$0.000061", "$60.75"], Row(run.Out, "gpt-4o-mini"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Estimate_without_models_lists_the_whole_catalogue_cheapest_first()
    {
        var run = await Cli.RunAsync("estimate", "Summarize this.");
        Assert.Equal(0, run.Exit);
        var mini = run.Out.IndexOf("gpt-4o-mini", StringComparison.Ordinal);
        var opus = run.Out.IndexOf("claude-opus", StringComparison.Ordinal);
        Assert.True(mini > 0 && opus > mini, run.Out);
        Assert.Contains("estimate: no local tokenizer", run.Out, StringComparison.Ordinal); // Claude is estimated, and says so
    }

    [Theory]
    [InlineData(new[] { "estimate" }, "either as text or with --file")]
    [InlineData(new[] { "estimate", "x", "--file", "y" }, "either as text or with --file")]
    [InlineData(new[] { "estimate", "x", "-n", "0" }, "--requests must be a positive")]
    [InlineData(new[] { "estimate", "x", "-n", "lots" }, "lots")]
    [InlineData(new[] { "estimate", "x", "--cached-share", "2" }, "--cached-share must be between 0 and 1")]
    [InlineData(new[] { "estimate", "x", "--task", "poetry" }, "unknown task 'poetry'")]
    [InlineData(new[] { "prices", "--bogus" }, "--bogus")]
    [InlineData(new[] { "nonsense" }, "nonsense")]
    public async Task Bad_arguments_give_one_line_and_exit_code_2(string[] args, string expected)
    {
        var line = Cli.AssertOneLineError(await Cli.RunAsync(args), 2);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_model_and_unreadable_file_give_one_line_and_exit_code_1()
    {
        Assert.Contains("unknown model 'gpt-9'", Cli.AssertOneLineError(await Cli.RunAsync("estimate", "x", "-m", "gpt-9"), 1), StringComparison.Ordinal);
        Assert.Contains("cannot read '/nonexistent/prompt.txt': no such directory",
            Cli.AssertOneLineError(await Cli.RunAsync("estimate", "--file", "/nonexistent/prompt.txt"), 1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prices_lists_the_catalogue_with_per_million_prices()
    {
        var run = await Cli.RunAsync("prices", "--model", "gpt-4o");
        Assert.Equal(0, run.Exit);
        Assert.Equal(["gpt-4o", "high_quality", "2.5", "1.25", "10", "50 %"], Row(run.Out, "gpt-4o"));
        Assert.Contains("2 models.", run.Out, StringComparison.Ordinal); // gpt-4o and gpt-4o-mini
    }

    [Fact]
    public async Task Prices_imports_a_litellm_file()
    {
        var path = Cli.TempFile("""
            {
              "sample_spec": { "input_cost_per_token": 0 },
              "acme-large": { "input_cost_per_token": 0.000004, "output_cost_per_token": 0.000016, "cache_read_input_token_cost": 0.000001 },
              "acme-image": { "output_cost_per_image": 0.04 }
            }
            """, ".json");
        try
        {
            var run = await Cli.RunAsync("prices", "--import", path, "--model", "acme");
            Assert.Equal(0, run.Exit);
            Assert.Contains("Imported 1 models", run.Out, StringComparison.Ordinal);
            Assert.Contains("(2 entries without per-token prices skipped)", run.Out, StringComparison.Ordinal);
            Assert.Equal(["acme-large", "-", "4", "1", "16", "-"], Row(run.Out, "acme-large"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_malformed_price_file_gives_one_line()
    {
        var path = Cli.TempFile("{ \"m\": { \"input_cost_per_token\": \"cheap\" ", ".json");
        try
        {
            var line = Cli.AssertOneLineError(await Cli.RunAsync("prices", "--import", path), 1);
            Assert.Contains(path, line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
        Cli.AssertOneLineError(await Cli.RunAsync("prices", "--import", "/nonexistent.json"), 1);
        Assert.Contains("no model in the catalogue contains 'zzz'", Cli.AssertOneLineError(await Cli.RunAsync("prices", "-m", "zzz"), 1), StringComparison.Ordinal);
    }

    /// <summary>The cells of the table row whose first cell is <paramref name="model"/> (cells are two or more spaces apart).</summary>
    internal static string[] Row(string output, string model) =>
        output.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Split(l.Trim(), @"\s{2,}"))
            .Single(cells => cells[0] == model);
}
