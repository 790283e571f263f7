using PromptOps.Reports;

namespace PromptOps.Cli.Tests;

public sealed class PlanAndSelfHostTests
{
    [Fact]
    public async Task Plan_orders_the_levers_with_dollar_savings_and_the_step_that_reaches_the_target()
    {
        // $10,000 a month. Caching 15–30% → $1,500–3,000. Routing 40–70% of the rest: cumulative 1 − 0.85 × 0.60 = 49% and
        // 1 − 0.70 × 0.30 = 79% → $3,400–4,900. Midpoints: 1 − 0.775 × 0.45 = 65.1% ≥ 60% → two steps reach the target.
        var run = await Cli.RunAsync("plan", "--monthly-cost", "10000", "--target", "60%");
        Assert.True(run.Exit == 0, run.Err);
        Assert.Contains("Current monthly cost $10,000.00; target −60 % → $4,000.00 a month.", run.Out, StringComparison.Ordinal);
        var caching = EstimateAndPricesTests.Row(run.Out, "1");
        Assert.Equal(["1", "caching", "1,500–3,000", "15 %–30 %"], caching[..4]);
        var routing = EstimateAndPricesTests.Row(run.Out, "2");
        Assert.Equal(["2", "routing", "3,400–4,900", "49 %–79 % ← target"], routing[..4]);
        Assert.Contains("The first 2 step(s) reach −60 %", run.Out, StringComparison.Ordinal);
        Assert.Equal(run.Out, (await Cli.RunAsync("plan", "-c", "10000", "-t", "0.6")).Out); // 0.6 and 60% are the same target
    }

    [Fact]
    public async Task Plan_with_a_ledger_skips_levers_in_use_and_sizes_on_its_spend()
    {
        var ledger = await LedgerFile.CreateAsync();
        try
        {
            // The ledger spent $5.40 in 10 days → $16.20 in 30. Its cache-hit rate is 22% (< 50%), so caching is still a lever.
            var run = await Cli.RunAsync("plan", "--ledger", ledger, "--target", "50%");
            Assert.True(run.Exit == 0, run.Err);
            Assert.Contains("Current monthly cost $16.20", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("in use", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
        }
    }

    [Theory]
    [InlineData(new[] { "plan", "--target", "60%" }, "--monthly-cost")]
    [InlineData(new[] { "plan", "-c", "100" }, "--target")]
    [InlineData(new[] { "plan", "-c", "100", "-t", "lots" }, "--target must be a fraction")]
    [InlineData(new[] { "plan", "-c", "100", "-t", "150%" }, "between 0% and 100%")]
    [InlineData(new[] { "plan", "-c", "-5", "-t", "50%" }, "--monthly-cost must be a positive")]
    [InlineData(new[] { "selfhost" }, "--input-tokens/--output-tokens or with --ledger")]
    [InlineData(new[] { "selfhost", "-i", "10", "--utilization", "2" }, "tilization")]
    public async Task Bad_arguments_give_one_line_and_exit_code_2(string[] args, string expected) =>
        Assert.Contains(expected, Cli.AssertOneLineError(await Cli.RunAsync(args), 2), StringComparison.Ordinal);

    [Fact]
    public async Task Selfhost_compares_the_api_price_with_gpus_and_gives_the_break_even()
    {
        // 1B input + 100M output tokens on gpt-4o: 1,000 × $2.50 + 100 × $10.00 = $3,500 a month.
        var run = await Cli.RunAsync("selfhost", "--input-tokens", "1000000000", "--output-tokens", "100000000", "--model", "gpt-4o");
        Assert.True(run.Exit == 0, run.Err);
        var expected = UsageReports.SelfHosting(1_000_000_000, 100_000_000, 3500m, new GpuCostModel());
        Assert.Equal(["API", "3,500.00"], EstimateAndPricesTests.Row(run.Out, "API"));
        Assert.Contains(expected.GpuMonthlyUsd.ToString("N2", System.Globalization.CultureInfo.InvariantCulture), run.Out, StringComparison.Ordinal);
        Assert.Contains(expected.SelfHostingCheaper ? "Self-hosting is cheaper" : "The API is cheaper", run.Out, StringComparison.Ordinal);
        Assert.Contains(expected.BreakEvenMonthlyTokens is { } be ? $"Break-even: {be:N0} tokens a month" : "Break-even: none", run.Out, StringComparison.Ordinal);
        Assert.Contains("unknown model 'gpt-9'", Cli.AssertOneLineError(await Cli.RunAsync("selfhost", "-i", "10", "-m", "gpt-9"), 1), StringComparison.Ordinal);
    }
}
