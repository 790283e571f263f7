using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary><c>promptops report</c> with the price catalogue: estimated cost shown apart, unpriced calls priced when the catalogue knows them now.</summary>
public sealed class ReportPricingTests
{
    private static async Task<string> LedgerAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using var sink = new SqliteUsageSink(path);
        UsageRecord Call(string model, decimal? cost, UsageAnomalies anomalies = UsageAnomalies.None) => new()
        {
            Timestamp = at, UserId = "alice", ModelId = model, InputTokens = 1_000_000, OutputTokens = 1_000_000, CostUsd = cost, CostSavedUsd = cost is null ? null : 0m,
            IsPriced = cost is not null, Anomalies = anomalies, Latency = TimeSpan.FromMilliseconds(100),
        };
        sink.Record(Call("gpt-4o-mini", 0.75m));
        sink.Record(Call("gpt-4o-mini", 0.25m, UsageAnomalies.Estimated));
        sink.Record(Call("acme-4.2-mini", null));
        return path;
    }

    [Fact]
    public async Task The_report_counts_cut_off_answers_per_endpoint()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using (var sink = new SqliteUsageSink(path))
        {
            UsageRecord Call(string endpoint, UsageAnomalies anomalies) => new()
            {
                Timestamp = at, Endpoint = endpoint, PromptId = endpoint, ModelId = "gpt-4o-mini", InputTokens = 100, OutputTokens = 50, CostUsd = 0.01m,
                CostSavedUsd = 0m, IsPriced = true, Anomalies = anomalies, Latency = TimeSpan.FromMilliseconds(100),
            };
            sink.Record(Call("Desk.AnswerAsync", UsageAnomalies.Truncated));
            sink.Record(Call("Desk.AnswerAsync", UsageAnomalies.Truncated));
            sink.Record(Call("Desk.AnswerAsync", UsageAnomalies.None));
            sink.Record(Call("Desk.ClassifyAsync", UsageAnomalies.None));
        }

        try
        {
            var run = await Cli.RunAsync("report", path);
            Assert.Equal(0, run.Exit);
            Assert.Contains("Cut off: 2 answers ended on their output-token limit; by endpoint: Desk.AnswerAsync (2).", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task The_report_prints_the_estimated_part_of_the_cost_apart()
    {
        var ledger = await LedgerAsync();
        try
        {
            var run = await Cli.RunAsync("report", ledger);
            Assert.Equal(0, run.Exit);
            Assert.Contains("spent $1.0000", run.Out, StringComparison.Ordinal);
            Assert.Contains("Estimated: $0.2500 of the $1.0000 spent is estimated (1 responses without usage", run.Out, StringComparison.Ordinal);
            Assert.Contains("1 unpriced", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
        }
    }

    [Fact]
    public async Task The_report_prices_unpriced_calls_with_the_catalogue_file()
    {
        var ledger = await LedgerAsync();
        var prices = Cli.TempFile("""{ "acme-4.2-mini": { "input_cost_per_token": 2e-07, "output_cost_per_token": 8e-07 } }""", ".json");
        var catalog = Path.Combine(Path.GetTempPath(), "promptops-catalog-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            Assert.Equal(0, (await Cli.RunAsync("prices", "--import", prices, "--catalog", catalog, "-m", "acme")).Exit);
            var run = await Cli.RunAsync("report", ledger, "--catalog", catalog);
            Assert.Equal(0, run.Exit);
            Assert.Contains("spent $2.0000", run.Out, StringComparison.Ordinal); // + 1M × $0.20 + 1M × $0.80
            Assert.Contains("Priced now: 1 calls recorded as unpriced", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("unpriced[", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(", 1 unpriced", run.Out, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(ledger);
            File.Delete(prices);
            File.Delete(catalog);
        }
    }
}
