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
    public async Task Estimate_without_models_lists_the_common_models_cheapest_first_and_all_with_a_flag()
    {
        var run = await Cli.RunAsync("estimate", "Summarize this.");
        Assert.Equal(0, run.Exit);
        var mini = run.Out.IndexOf("gpt-4o-mini", StringComparison.Ordinal);
        var opus = run.Out.IndexOf("claude-opus-4-5", StringComparison.Ordinal);
        Assert.True(mini > 0 && opus > mini, run.Out);
        foreach (var tier in PromptOps.Knowledge.ModelTiers.All) Assert.Contains(PromptOps.Knowledge.ModelTiers.GetDefaultModel(tier), run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("gpt-3.5-turbo", run.Out, StringComparison.Ordinal);
        var all = await Cli.RunAsync("estimate", "Summarize this.", "--all", "-n", "1");
        Assert.Equal(0, all.Exit);
        Assert.Contains("gpt-3.5-turbo", all.Out, StringComparison.Ordinal);
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
    public async Task Prices_lists_the_catalogue_with_per_million_prices_and_its_date()
    {
        var run = await Cli.RunAsync("prices", "--model", "gpt-4o");
        Assert.Equal(0, run.Exit);
        Assert.Contains("Built-in prices of 2026-07-24", run.Out, StringComparison.Ordinal);
        Assert.Equal(["gpt-4o", "high_quality", "2.5", "1.25", "-", "10", "50 %", "-"], Row(run.Out, "gpt-4o"));
        Assert.Equal(["gpt-4o-2024-05-13", "high_quality", "5", "5", "-", "15", "50 %", "-"], Row(run.Out, "gpt-4o-2024-05-13"));
        var sonnet = await Cli.RunAsync("prices", "--model", "claude-sonnet-4-5");
        Assert.Equal(["claude-sonnet-4-5", "best", "3", "0.3", "3.75", "15", "50 %", ">200k 6/22.5"], Row(sonnet.Out, "claude-sonnet-4-5"));
    }

    [Fact]
    public async Task Prices_imports_a_litellm_file_into_the_catalogue_file()
    {
        var path = Cli.TempFile("""
            {
              "sample_spec": { "input_cost_per_token": 0 },
              "acme-large": { "input_cost_per_token": 0.000004, "output_cost_per_token": 0.000016, "cache_read_input_token_cost": 0.000001 },
              "acme-image": { "output_cost_per_image": 0.04 }
            }
            """, ".json");
        var catalog = MissingCatalog();
        try
        {
            var run = await Cli.RunAsync("prices", "--import", path, "--model", "acme", "--catalog", catalog);
            Assert.Equal(0, run.Exit);
            Assert.Contains("Imported 1 models", run.Out, StringComparison.Ordinal);
            Assert.Contains("1 new, 0 changed, 0 unchanged; 2 entries without per-token prices skipped.", run.Out, StringComparison.Ordinal);
            Assert.Equal(["acme-large", "-", "4", "1", "-", "16", "-", "-"], Row(run.Out, "acme-large"));
            Assert.Contains("Saved 1 models to the catalogue " + catalog, run.Out, StringComparison.Ordinal);
            Assert.True(File.Exists(catalog));
        }
        finally
        {
            File.Delete(path);
            File.Delete(catalog);
        }
    }

    [Fact]
    public async Task An_import_persists_estimate_and_prices_read_it_and_prices_shows_its_date()
    {
        // A daily mirror of LiteLLM's map: one extra "last_updated" string key, which is reported and skipped.
        var path = Cli.TempFile("""
            {
              "last_updated": "2026-11-30T06:00:00Z",
              "acme-4.2-mini": { "input_cost_per_token": 2e-07, "output_cost_per_token": 8e-07, "litellm_provider": "acme" }
            }
            """, ".json");
        var catalog = MissingCatalog();
        try
        {
            var empty = Cli.TempFile("{}", ".json");
            Assert.Contains("unknown model 'acme-4.2-mini'", Cli.AssertOneLineError(await Cli.RunAsync("estimate", "x", "-m", "acme-4.2-mini", "--catalog", empty), 1), StringComparison.Ordinal);
            File.Delete(empty);
            var import = await Cli.RunAsync("prices", "--import", path, "--catalog", catalog, "-m", "acme");
            Assert.Equal(0, import.Exit);
            Assert.Contains("(prices of 2026-11-30T06:00:00Z)", import.Out, StringComparison.Ordinal);
            Assert.Contains("1 unreadable entries skipped", import.Out, StringComparison.Ordinal);
            Assert.Contains("skipped 'last_updated': not a model entry", import.Out, StringComparison.Ordinal);

            // A later command reads the catalogue file.
            var estimate = await Cli.RunAsync("estimate", "Classify the support ticket.", "-m", "acme-4.2-mini", "--task", "classification", "--catalog", catalog);
            Assert.Equal(0, estimate.Exit);
            Assert.Equal("acme-4.2-mini", Row(estimate.Out, "acme-4.2-mini")[0]);
            var prices = await Cli.RunAsync("prices", "-m", "acme", "--catalog", catalog);
            Assert.Contains("Catalogue file " + catalog + ": 1 models, prices of 2026-11-30T06:00:00Z.", prices.Out, StringComparison.Ordinal);
            Assert.Contains("  imported 20", prices.Out, StringComparison.Ordinal);
            Assert.Equal(["acme-4.2-mini", "-", "0.2", "0.2", "-", "0.8", "-", "-"], Row(prices.Out, "acme-4.2-mini"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(catalog);
        }
    }

    [Fact]
    public async Task An_import_without_batch_prices_keeps_the_built_in_batch_discount_and_says_what_changed()
    {
        var path = Cli.TempFile("""{ "gpt-4o-mini": { "input_cost_per_token": 1e-07, "output_cost_per_token": 4e-07 } }""", ".json");
        var catalog = MissingCatalog();
        try
        {
            var import = await Cli.RunAsync("prices", "--import", path, "--catalog", catalog, "-m", "gpt-4o-mini");
            Assert.Equal(0, import.Exit);
            Assert.Contains("0 new, 1 changed, 0 unchanged", import.Out, StringComparison.Ordinal);
            Assert.Contains("changed gpt-4o-mini: input 0.15 → 0.1, output 0.6 → 0.4, cached 0.075 → 0.075", import.Out, StringComparison.Ordinal);
            var prices = await Cli.RunAsync("prices", "-m", "gpt-4o-mini", "--catalog", catalog);
            Assert.Equal(["gpt-4o-mini", "fast_cheap", "0.1", "0.075", "-", "0.4", "50 %", "-"], Row(prices.Out, "gpt-4o-mini"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(catalog);
        }
    }

    [Fact]
    public async Task A_catalogue_given_explicitly_must_exist()
    {
        var missing = MissingCatalog();
        Assert.Contains($"cannot read the catalogue '{missing}': no such file", Cli.AssertOneLineError(await Cli.RunAsync("estimate", "x", "--catalog", missing), 1), StringComparison.Ordinal);
        var bad = Cli.TempFile("{ not json", ".json");
        try
        {
            Assert.Contains("cannot be used", Cli.AssertOneLineError(await Cli.RunAsync("prices", "--catalog", bad), 1), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    private static string MissingCatalog() => Path.Combine(Path.GetTempPath(), "promptops-catalog-" + Guid.NewGuid().ToString("N") + ".json");

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
