using PromptOps.Pricing;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary><c>promptops report</c>: what the provider's own prompt cache saved (issue #18), in the console and the HTML.</summary>
public sealed class ProviderCacheReportTests
{
    [Fact]
    public async Task The_report_shows_the_provider_caches_savings_net_of_the_write_premium()
    {
        // Claude Sonnet 4.5 (input $3.00, cache read $0.30, 5-minute cache write $3.75 per 1M): a 2,000-token prefix written
        // once and read 9 times; 100 uncached input and 10 output tokens a call. Reads save 18,000 × $2.70/1M = $0.0486,
        // the write costs 2,000 × $0.75/1M = $0.0015 above the input price: $0.0471 saved.
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        var prices = new PriceCatalog();
        var at = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        await using (var sink = new SqliteUsageSink(path))
        {
            for (var i = 0; i < 10; i++)
            {
                long read = i == 0 ? 0 : 2000, write = i == 0 ? 2000 : 0;
                sink.Record(new UsageRecord
                {
                    Timestamp = at.AddMinutes(i), ModelId = "claude-sonnet-4-5", InputTokens = 2100, CachedInputTokens = read, CacheWriteInputTokens = write,
                    OutputTokens = 10, CostUsd = prices.Cost("claude-sonnet-4-5", 2100, read, write, 10, batch: false).Usd, IsPriced = true,
                    Latency = TimeSpan.FromMilliseconds(100),
                });
            }
        }

        try
        {
            var html = Path.ChangeExtension(path, ".html");
            var run = await Cli.RunAsync("report", path, "--html", html);
            Assert.Equal(0, run.Exit);
            var page = await File.ReadAllTextAsync(html);
            File.Delete(html);
            var text = string.Join(' ', run.Out.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            Assert.True(text.Contains("Provider prompt cache: saved $0.0471 (reads $0.0486 below the input price, writes $0.0015 above it); 18,000 of 21,000 input tokens (85.7 %) read from it in 9 of 10 calls, 2,000 written in 1;", StringComparison.Ordinal), text);
            var withoutCache = (21_000 * 3.00m + 100 * 15.00m) / 1_000_000m;
            Assert.Contains($"without it the calls would have cost ${withoutCache:N4}.", text, StringComparison.Ordinal);
            Assert.Contains("<h2 id=\"provider-cache\">Provider prompt cache</h2>", page, StringComparison.Ordinal);
            Assert.Contains("<tr><td>read from the cache</td><td class=\"n\">9</td><td class=\"n\">18,000</td><td class=\"n\">−$0.0486</td></tr>", page, StringComparison.Ordinal);
            Assert.Contains("<tr><td>written to the cache</td><td class=\"n\">1</td><td class=\"n\">2,000</td><td class=\"n\">+$0.0015</td></tr>", page, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }

    [Fact]
    public async Task A_ledger_without_provider_cache_tokens_has_no_such_section()
    {
        var path = await LedgerFile.CreateAsync();
        try
        {
            var html = Path.ChangeExtension(path, ".html");
            var run = await Cli.RunAsync("report", path, "--html", html);
            Assert.Equal(0, run.Exit);
            var page = await File.ReadAllTextAsync(html);
            File.Delete(html);
            Assert.DoesNotContain("Provider prompt cache", run.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("provider-cache", page, StringComparison.Ordinal);
        }
        finally
        {
            LedgerFile.Delete(path);
        }
    }
}
