using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Pricing;

namespace PromptOps.Tests.Pricing;

/// <summary>The persisted price file's unreadable entries are logged once when the catalogue is built, not skipped silently.</summary>
public sealed class PriceFileStartupLogTests
{
    private const string PriceFile = """
        {
          "last_updated": "2026-11-30",
          "acme-chat-1": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "mode": "chat" },
          "acme-broken": { "input_cost_per_token": "cheap", "output_cost_per_token": 2e-06, "mode": "chat" }
        }
        """;

    [Fact]
    public void Unreadable_entries_of_the_catalog_file_are_logged_once_and_the_good_ones_used()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-prices-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, PriceFile);
        try
        {
            var collector = new FakeLogCollector();
            var services = new ServiceCollection();
            services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)));
            services.AddPromptOps(o => o.Pricing.CatalogFile = path);
            using var sp = services.BuildServiceProvider();

            var catalog = sp.GetRequiredService<PriceCatalog>();
            Assert.Same(catalog, sp.GetRequiredService<PriceCatalog>());
            Assert.Equal(1m, catalog.Cost("acme-chat-1", 1_000_000, 0, 0).Usd);
            Assert.False(catalog.TryGetPrice("acme-broken", out _));

            var warning = Assert.Single(collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Category == "PromptOps.Pricing");
            Assert.Contains("PromptOps:Pricing:CatalogFile", warning.Message, StringComparison.Ordinal);
            Assert.Contains(path, warning.Message, StringComparison.Ordinal);
            Assert.Contains("acme-broken", warning.Message, StringComparison.Ordinal);
            Assert.Equal(4001, warning.Id.Id);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_clean_file_logs_nothing()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-prices-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{ "acme-chat-1": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "mode": "chat" } }""");
        try
        {
            var collector = new FakeLogCollector();
            var catalog = new PricingOptions { CatalogFile = path }.BuildCatalog(new FakeLogger(collector, "PromptOps.Pricing"));
            Assert.Equal(1m, catalog.Cost("acme-chat-1", 1_000_000, 0, 0).Usd);
            Assert.Empty(collector.GetSnapshot());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
