using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Reports;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary><c>promptops report --compare</c>: the ledger re-priced against a baseline model, the saving split by lever.</summary>
public sealed class ReportCompareTests
{
    private static readonly PriceCatalog Catalog = new();

    /// <summary>1M input and 1M output tokens at <paramref name="model"/>'s price.</summary>
    private static decimal Million(string model, long output = 1_000_000) => Catalog.Cost(model, 1_000_000, 0, output).Usd!.Value;

    /// <summary>
    /// Endpoint faq: two gpt-4o-mini calls, an exact (memory) and a semantic cache hit of the same size, and one refused
    /// request; endpoint other: one call to a model without a price.
    /// </summary>
    private static async Task<string> LedgerAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var mini = Million("gpt-4o-mini");
        await using var sink = new SqliteUsageSink(path);
        UsageRecord Call(CacheLayer layer = CacheLayer.None) => new()
        {
            Timestamp = at, Endpoint = "faq", PromptId = "faq", ModelId = "gpt-4o-mini", InputTokens = 1_000_000, OutputTokens = 1_000_000,
            CostUsd = layer == CacheLayer.None ? mini : 0m, CostSavedUsd = layer == CacheLayer.None ? 0m : mini, CacheLayer = layer, IsPriced = true,
            Latency = TimeSpan.FromMilliseconds(100),
        };
        sink.Record(Call());
        sink.Record(Call());
        sink.Record(Call(CacheLayer.Memory));
        sink.Record(Call(CacheLayer.Semantic));
        sink.Record(new UsageRecord { Timestamp = at, Endpoint = "faq", PromptId = "faq", Outcome = UsageOutcome.Refused, LimitName = "budget.daily", ErrorType = "BudgetExceededException" });
        sink.Record(new UsageRecord { Timestamp = at, Endpoint = "other", ModelId = "acme-4.2", InputTokens = 10, OutputTokens = 10, IsPriced = false, Latency = TimeSpan.FromMilliseconds(100) });
        return path;
    }

    [Fact]
    public async Task Every_lever_is_derived_from_the_ledger_and_the_levers_add_up()
    {
        var path = await LedgerAsync();
        try
        {
            var c = UsageReports.CompareWithBaseline(UsageLedger.LoadSqlite(path).Records, Catalog, "gpt-4o");
            var mini = Million("gpt-4o-mini");
            var big = Million("gpt-4o");
            Assert.Equal("gpt-4o", c.BaselineModel);
            Assert.Equal(2 * mini, c.SpentUsd);
            Assert.Equal(4 * (big - mini), c.RoutingUsd);
            Assert.Equal(0m, c.LimitsUsd); // the same output assumed
            Assert.Equal(mini, c.ExactCacheUsd);
            Assert.Equal(mini, c.SemanticCacheUsd);
            Assert.Equal(big, c.RefusalsUsd); // the average served faq call at the baseline's price
            Assert.Equal(5 * big, c.BaselineUsd);
            Assert.Equal(c.SavedUsd, c.RoutingUsd + c.LimitsUsd + c.ExactCacheUsd + c.SemanticCacheUsd + c.RefusalsUsd);
            Assert.Equal(1, c.Refused);
            Assert.Equal(5, c.Compared);
            Assert.Equal(1, c.UnpricedCalls);

            // Without limits the baseline writes 2M tokens per answer: the limits lever is the extra output at its price.
            var unlimited = UsageReports.CompareWithBaseline(UsageLedger.LoadSqlite(path).Records, Catalog, "gpt-4o", baselineOutputTokens: 2_000_000);
            var bigLong = Million("gpt-4o", 2_000_000);
            Assert.Equal(4 * (bigLong - big), unlimited.LimitsUsd);
            Assert.Equal(5 * bigLong, unlimited.BaselineUsd);
            Assert.Equal(unlimited.SavedUsd, unlimited.RoutingUsd + unlimited.LimitsUsd + unlimited.ExactCacheUsd + unlimited.SemanticCacheUsd + unlimited.RefusalsUsd);

            // Against a cheaper model, routing to gpt-4o-mini is a negative saving, shown as it is.
            var nano = UsageReports.CompareWithBaseline(UsageLedger.LoadSqlite(path).Records, Catalog, "gpt-4.1-nano");
            Assert.True(nano.RoutingUsd < 0, nano.RoutingUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task The_command_prints_the_breakdown_and_its_assumptions()
    {
        var path = await LedgerAsync();
        try
        {
            var run = await Cli.RunAsync("report", path, "--compare", "--baseline-model", "gpt-4o");
            Assert.True(run.Exit == 0, run.Err);
            var c = UsageReports.CompareWithBaseline(UsageLedger.LoadSqlite(path).Records, Catalog, "gpt-4o");
            var headline = $"Compared with gpt-4o: baseline ${c.BaselineUsd:N6}, spent ${c.SpentUsd:N6}, saved ${c.SavedUsd:N6} ({c.SavedShare:P1}) on 5 requests.";
            Assert.True(run.Out.Contains(headline, StringComparison.Ordinal), headline + "\n" + run.Out);
            Assert.Contains("1 calls to models without a price are left out of both sides.", run.Out, StringComparison.Ordinal);
            Assert.Equal(["routing (model vs baseline price)", c.RoutingUsd.ToString("N6"), (c.RoutingUsd / c.BaselineUsd).ToString("P1")],
                EstimateAndPricesTests.Row(run.Out, "routing (model vs baseline price)"));
            Assert.Contains("output limits (assumed the same)", run.Out, StringComparison.Ordinal);
            Assert.Contains("budget and plan refusals (1)", run.Out, StringComparison.Ordinal);
            var text = System.Text.RegularExpressions.Regex.Replace(run.Out, @"\s+", " "); // the console wraps long lines
            Assert.Contains("a ledger cannot tell how long an answer without its limit would have been", text, StringComparison.Ordinal);
            Assert.Contains("Compression: not derivable from a ledger", text, StringComparison.Ordinal);

            // The default baseline is the best tier's model.
            var byDefault = await Cli.RunAsync("report", path, "--compare", "--baseline-output-tokens", "500");
            Assert.True(byDefault.Exit == 0, byDefault.Err);
            Assert.Contains($"Compared with {Knowledge.ModelTiers.GetDefaultModel(Knowledge.ModelTier.Best)}", byDefault.Out, StringComparison.Ordinal);
            Assert.Contains("the baseline writes 500 tokens per answer", System.Text.RegularExpressions.Regex.Replace(byDefault.Out, @"\s+", " "), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task Bad_compare_options_are_one_line_errors()
    {
        var path = await LedgerAsync();
        try
        {
            Assert.Contains("--baseline-model 'acme-9000' has no price in the catalogue",
                Cli.AssertOneLineError(await Cli.RunAsync("report", path, "--compare", "--baseline-model", "acme-9000"), PromptOpsCli.UsageError), StringComparison.Ordinal);
            Assert.Contains("--baseline-model and --baseline-output-tokens apply to --compare",
                Cli.AssertOneLineError(await Cli.RunAsync("report", path, "--baseline-model", "gpt-4o"), PromptOpsCli.UsageError), StringComparison.Ordinal);
            Assert.Contains("--baseline-output-tokens cannot be negative",
                Cli.AssertOneLineError(await Cli.RunAsync("report", path, "--compare", "--baseline-output-tokens", "-1"), PromptOpsCli.UsageError), StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }
}
