using System.Text;
using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Tests.Pricing;

public class PriceCatalogTests
{
    [Theory]
    [InlineData("gpt-4o", 2.50, 10.00)]
    [InlineData("gpt-4o-mini", 0.15, 0.60)]
    [InlineData("gpt-4.1", 2.00, 8.00)]
    [InlineData("gpt-4.1-mini", 0.40, 1.60)]
    [InlineData("gpt-5", 1.25, 10.00)]
    [InlineData("gpt-5-mini", 0.25, 2.00)]
    [InlineData("gpt-5-nano", 0.05, 0.40)]
    [InlineData("o3", 2.00, 8.00)]
    [InlineData("o4-mini", 1.10, 4.40)]
    [InlineData("claude-haiku-4-5", 1.00, 5.00)]
    [InlineData("claude-sonnet-4-5", 3.00, 15.00)]
    [InlineData("claude-opus-4-5", 5.00, 25.00)]
    [InlineData("claude-opus-4-1", 15.00, 75.00)]
    [InlineData("gemini-2.5-pro", 1.25, 10.00)]
    [InlineData("gemini-2.5-flash", 0.30, 2.50)]
    [InlineData("gemini-2.5-flash-lite", 0.10, 0.40)]
    [InlineData("gemini-2.0-flash", 0.10, 0.40)]
    public void Current_list_prices(string model, double input, double output)
    {
        var p = new PriceCatalog().GetExact(model);
        Assert.NotNull(p);
        Assert.Equal((decimal)input, p.InputPerMillion);
        Assert.Equal((decimal)output, p.OutputPerMillion);
    }

    [Fact]
    public void The_catalogue_is_dated_and_carries_cache_write_batch_and_long_context_prices()
    {
        Assert.Equal("2026-07-24", DefaultPrices.CatalogDate);
        var catalog = new PriceCatalog();
        var haiku = catalog.GetExact("claude-haiku-4-5")!;
        Assert.Equal(0.10m, haiku.CachedInputPerMillion);
        Assert.Equal(1.25m, haiku.CacheWritePerMillion); // 25% above input: the 5-minute cache write
        Assert.Equal(0.5m, haiku.BatchDiscount);
        Assert.Equal(0.5m, catalog.GetExact("gpt-4o-mini")!.BatchDiscount); // from the map's batch prices
        Assert.Null(catalog.GetExact("gpt-4o-mini")!.CacheWritePerMillion);
        var sonnet = catalog.GetExact("claude-sonnet-4-5")!.LongContext!;
        Assert.Equal(200_000, sonnet.ThresholdTokens);
        Assert.Equal(6m, sonnet.InputPerMillion);
        Assert.Equal(22.5m, sonnet.OutputPerMillion);

        // Above the threshold the whole call is priced at the long-context rates.
        Assert.Equal((200_000 * 3m + 1000 * 15m) / 1_000_000m, catalog.Cost("claude-sonnet-4-5", 200_000, 0, 1000).Usd);
        Assert.Equal((200_001 * 6m + 1000 * 22.5m) / 1_000_000m, catalog.Cost("claude-sonnet-4-5", 200_001, 0, 1000).Usd);
    }

    [Fact]
    public void Cache_writes_are_part_of_the_input_and_priced_at_the_cache_write_price()
    {
        var catalog = new PriceCatalog();
        // claude-haiku-4-5: 10,000 input of which 2,000 cache reads and 3,000 cache writes, 100 output.
        Assert.Equal((5_000 * 1.00m + 2_000 * 0.10m + 3_000 * 1.25m + 100 * 5.00m) / 1_000_000m,
            catalog.Cost("claude-haiku-4-5", 10_000, 2_000, 3_000, 100, batch: false).Usd);
        var usage = new UsageDetails { InputTokenCount = 10_000, CachedInputTokenCount = 2_000, OutputTokenCount = 100, AdditionalCounts = new() { ["cache_creation_input_tokens"] = 3_000 } };
        Assert.Equal(catalog.Cost("claude-haiku-4-5", 10_000, 2_000, 3_000, 100, batch: false).Usd, catalog.Cost("claude-haiku-4-5", usage).Usd);
        // A model without a cache-write price prices writes as input.
        Assert.Equal((10_000 * 0.15m) / 1_000_000m, catalog.Cost("gpt-4o-mini", 10_000, 0, 3_000, 0, batch: false).Usd);
    }

    [Theory]
    // OpenAI: dated snapshots to their family; dated ids the map prices differently are their own entries.
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-2024-11-20", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-05-13", "gpt-4o-2024-05-13")]
    [InlineData("gpt-4.1-2025-04-14", "gpt-4.1")]
    [InlineData("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini")]
    [InlineData("gpt-5-2025-08-07", "gpt-5")]
    [InlineData("gpt-5-mini-2025-08-07", "gpt-5-mini")]
    [InlineData("o3-2025-04-16", "o3")]
    [InlineData("GPT-4o-Mini", "gpt-4o-mini")]
    [InlineData("openai/gpt-4.1", "gpt-4.1")]
    [InlineData("azure/gpt-4o-mini", "gpt-4o-mini")]
    [InlineData("openai/gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    // Anthropic: dated ids to their own family, never to a shorter name; the seed's short names are aliases.
    [InlineData("claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    [InlineData("claude-opus-4-5-20251101", "claude-opus-4-5")]
    [InlineData("claude-sonnet-4-5-20250929", "claude-sonnet-4-5")]
    [InlineData("claude-haiku-4-5", "claude-haiku-4-5")]
    [InlineData("anthropic/claude-haiku-4-5-20251001", "claude-haiku-4-5")]
    [InlineData("claude-haiku", "claude-haiku-4-5")]
    [InlineData("claude-sonnet", "claude-sonnet-4-5")]
    [InlineData("claude-opus", "claude-opus-4-5")]
    [InlineData("claude-3-haiku", "claude-3-haiku-20240307")]
    [InlineData("claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219")]
    [InlineData("claude-sonnet-4-0", "claude-sonnet-4-20250514")]
    // Vertex AI and Bedrock ids of Anthropic models.
    [InlineData("vertex_ai/claude-sonnet-4-5@20250929", "claude-sonnet-4-5")]
    [InlineData("claude-haiku-4-5@20251001", "claude-haiku-4-5")]
    [InlineData("bedrock/anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0")]
    [InlineData("anthropic.claude-haiku-4-5-20260101-v1:0", "claude-haiku-4-5")]
    [InlineData("bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0")]
    // Google: AI Studio / Vertex prefixes, "models/" and stable version suffixes.
    [InlineData("gemini/gemini-2.5-pro", "gemini-2.5-pro")]
    [InlineData("models/gemini-2.5-flash", "gemini-2.5-flash")]
    [InlineData("vertex_ai/gemini-2.5-flash-lite", "gemini-2.5-flash-lite")]
    [InlineData("gemini-2.0-flash-001", "gemini-2.0-flash-001")] // the map prices this version apart (0.15 / 0.60)
    [InlineData("gemini-2.5-flash-001", "gemini-2.5-flash")]
    [InlineData("gemini-2.5-pro-002", "gemini-2.5-pro")]
    // Open-weight hosts keep their LiteLLM prefix; DeepSeek's own ids.
    [InlineData("groq/llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile")]
    [InlineData("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "together_ai/meta-llama/llama-3.3-70b-instruct-turbo")]
    [InlineData("deepseek/deepseek-chat", "deepseek-chat")]
    public void Provider_ids_resolve_to_catalogue_entries(string id, string expected)
    {
        Assert.True(new PriceCatalog().TryGetPrice(id, out var p), id);
        Assert.Equal(expected, p.Model);
    }

    [Theory]
    [InlineData("claude-haiku-9-20300101")] // a dated id of an unknown family: never a shorter name's price
    [InlineData("claude-haiku-4-6")]
    [InlineData("claude-3-5-sonnet-20241022")] // retired, not in the map
    [InlineData("gpt-4o-audio-preview")]
    [InlineData("gpt-4o-latest")]
    [InlineData("gpt-4o-mini-2024-13-45")] // not a date
    [InlineData("gemini-1.5-pro")]
    [InlineData("llama-3.3-70b-versatile")] // which host?
    [InlineData("bedrock/us-gov-west-1/anthropic.claude-haiku-4-5-20251001-v1:0")] // a regional path is not stripped
    [InlineData("my-model")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_models_are_unpriced_not_free(string? id)
    {
        var catalog = new PriceCatalog();
        Assert.False(catalog.TryGetPrice(id, out _));
        var cost = catalog.Cost(id, 1000, 0, 1000);
        Assert.False(cost.IsPriced);
        Assert.Null(cost.Usd);
    }

    [Fact]
    public void Every_catalogue_model_resolves_to_itself()
    {
        var catalog = new PriceCatalog();
        foreach (var entry in DefaultPrices.All)
        {
            Assert.True(catalog.TryGetPrice(entry.Model, out var p), entry.Model);
            Assert.Same(entry, p);
            Assert.Equal(entry.Model, DefaultPrices.ResolveName(entry.Model, m => DefaultPrices.All.Any(e => e.Model == m)));
        }

        Assert.Equal(DefaultPrices.All.Count, DefaultPrices.All.Select(e => e.Model).Distinct().Count());
        foreach (var alias in DefaultPrices.Aliases) Assert.NotNull(catalog.GetExact(alias.Value));
        foreach (var tier in ModelTiers.All) Assert.NotNull(catalog.GetExact(ModelTiers.GetDefaultModel(tier)));
    }

    [Fact]
    public void Cached_input_is_part_of_input_and_priced_at_the_cached_rate()
    {
        var catalog = new PriceCatalog();

        // gpt-4o: 1M input of which 400k cached, 100k output.
        var cost = catalog.Cost("gpt-4o", new UsageDetails { InputTokenCount = 1_000_000, CachedInputTokenCount = 400_000, OutputTokenCount = 100_000 });
        Assert.Equal((600_000 * 2.50m + 400_000 * 1.25m + 100_000 * 10.00m) / 1_000_000m, cost.Usd);
        Assert.Equal("gpt-4o", cost.Model);

        // Cached larger than input (a provider bug) is clamped, never negative.
        Assert.Equal(1.25m, catalog.Cost("gpt-4o", 1_000_000, 2_000_000, 0).Usd);
        Assert.Equal(0.75m, catalog.Cost("gpt-4o", 1_000_000, 0, 0, batch: true).Usd! * 0.6m);
    }

    [Fact]
    public void Batch_discount_applies_only_to_batch_work()
    {
        var catalog = new PriceCatalog();
        var normal = catalog.Cost("gpt-4o-mini", 1_000_000, 0, 1_000_000).Usd!.Value;
        var batch = catalog.Cost("gpt-4o-mini", 1_000_000, 0, 1_000_000, batch: true).Usd!.Value;
        Assert.Equal(0.75m, normal);
        Assert.Equal(0.375m, batch);
    }

    [Fact]
    public void Set_overrides_and_self_hosted_models_price_at_zero()
    {
        var catalog = new PriceCatalog();
        catalog.Set(new ModelPriceInfo("llama-3-70b", 0, 0, 0, 0, ModelTier.HighQuality, selfHosted: true));
        var cost = catalog.Cost("llama-3-70b", 5000, 0, 5000);
        Assert.True(cost.IsPriced);
        Assert.Equal(0m, cost.Usd);

        catalog.Set(new ModelPriceInfo("gpt-4o", 5m, 2.5m, 20m, 0.5m, ModelTier.HighQuality));
        Assert.Equal(25m, catalog.Cost("gpt-4o-2024-08-06", 1_000_000, 0, 1_000_000).Usd);
    }

    [Fact]
    public void Negative_prices_are_rejected_with_the_model_named()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ModelPriceInfo("x-model", -1, 0, 0, 0, null));
        Assert.Contains("x-model", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModelPriceInfo("x-model", 1, 0, 0, 1.5m, null));
    }

    private const string LiteLlmSample = """
        {
          "sample_spec": { "max_tokens": "LEGACY parameter", "input_cost_per_token": 0.0, "output_cost_per_token": 0.0 },
          "gpt-4o": {
            "max_input_tokens": 128000, "input_cost_per_token": 5e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 2.5e-06, "input_cost_per_token_batches": 2.5e-06, "output_cost_per_token_batches": 7.5e-06,
            "litellm_provider": "openai", "mode": "chat"
          },
          "anthropic/claude-3-5-haiku-20241022": { "input_cost_per_token": 8e-07, "output_cost_per_token": 4e-06, "cache_read_input_token_cost": 8e-08, "mode": "chat" },
          "dall-e-3": { "mode": "image_generation", "output_cost_per_image": 0.04 },
          "text-embedding-3-small": { "input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "mode": "embedding" }
        }
        """;

    [Fact]
    public void LiteLlm_file_imports_prices_and_keeps_known_tiers()
    {
        var catalog = new PriceCatalog();
        var result = catalog.ImportLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(LiteLlmSample)));
        Assert.Equal(3, result.Imported);
        Assert.Equal(2, result.Skipped); // sample_spec and the per-image model
        Assert.Equal(0, result.Unreadable);

        Assert.True(catalog.TryGetPrice("gpt-4o", out var gpt4o));
        Assert.Equal(5m, gpt4o.InputPerMillion);
        Assert.Equal(2.5m, gpt4o.CachedInputPerMillion);
        Assert.Equal(15m, gpt4o.OutputPerMillion);
        Assert.Equal(0.5m, gpt4o.BatchDiscount);
        Assert.Equal(ModelTier.HighQuality, gpt4o.Tier);
        Assert.Equal(5m, catalog.Cost("gpt-4o-2024-08-06", 1_000_000, 0, 0).Usd); // the dated id follows its family's new price

        Assert.True(catalog.TryGetPrice("anthropic/claude-3-5-haiku-20241022", out var haiku));
        Assert.Equal(0.8m, haiku.InputPerMillion);
        Assert.Equal(0.08m, haiku.CachedInputPerMillion);
        Assert.False(catalog.TryGetPrice("dall-e-3", out _));
        Assert.Equal(0.02m, catalog.Cost("text-embedding-3-small", 1_000_000, 0, 0).Usd);
    }

    [Fact]
    public void Unreadable_entries_are_skipped_counted_and_reported_and_the_rest_is_imported()
    {
        // A mirror's extra "last_updated" string, a price that is not a number, a negative price: three entries
        // skipped and named; the good entry is imported.
        const string json = """
            {
              "last_updated": "2026-07-24T18:23:43Z",
              "acme-large": { "input_cost_per_token": 4e-06, "output_cost_per_token": 1.6e-05 },
              "acme-cheap": { "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06 },
              "acme-neg": { "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06 },
              "acme-list": [1, 2]
            }
            """;
        var catalog = new PriceCatalog();
        var result = catalog.ImportLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(json)), "prices.json");
        Assert.Equal(1, result.Imported);
        Assert.Equal(4, result.Unreadable);
        Assert.Equal(4, result.Skipped);
        Assert.Equal("2026-07-24T18:23:43Z", result.LastUpdated);
        Assert.Contains(result.Problems, p => p.Contains("'last_updated': not a model entry", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Contains("'acme-cheap': input_cost_per_token must be a number", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Contains("'acme-neg': input_cost_per_token is negative", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Contains("'acme-list'", StringComparison.Ordinal));
        Assert.Equal(4m, catalog.GetExact("acme-large")!.InputPerMillion);
        Assert.False(catalog.TryGetPrice("acme-cheap", out _));
    }

    [Fact]
    public void An_import_replaces_the_same_id_and_keeps_what_it_does_not_carry()
    {
        // No batch, cache-write or long-context prices in the file: the built-in ones stay; the new prices replace the old.
        const string json = """
            {
              "gpt-4o-mini": { "input_cost_per_token": 1e-07, "output_cost_per_token": 4e-07 },
              "claude-sonnet-4-5": { "input_cost_per_token": 2e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 2e-07 },
              "claude-haiku-4-5": { "input_cost_per_token": 8e-07, "output_cost_per_token": 4e-06, "input_cost_per_token_batches": 8e-07 }
            }
            """;
        var catalog = new PriceCatalog();
        catalog.ImportLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        var mini = catalog.GetExact("gpt-4o-mini")!;
        Assert.Equal(0.1m, mini.InputPerMillion);
        Assert.Equal(0.5m, mini.BatchDiscount);            // kept
        Assert.Equal(0.075m, mini.CachedInputPerMillion);  // kept: the file has no cache-read price
        Assert.Equal(ModelTier.FastCheap, mini.Tier);
        var sonnet = catalog.GetExact("claude-sonnet-4-5")!;
        Assert.Equal(2m, sonnet.InputPerMillion);
        Assert.Equal(0.2m, sonnet.CachedInputPerMillion);
        Assert.Equal(3.75m, sonnet.CacheWritePerMillion);  // kept
        Assert.Equal(200_000, sonnet.LongContext!.ThresholdTokens); // kept
        Assert.Equal(0m, catalog.GetExact("claude-haiku-4-5")!.BatchDiscount); // the file says: no batch discount

        // The alias the analyzers' tier default uses follows the import.
        Assert.Equal(0.8m, catalog.Cost("claude-haiku", 1_000_000, 0, 0).Usd);
        Assert.Equal(0.8m, catalog.Cost("claude-haiku-4-5-20251001", 1_000_000, 0, 0).Usd);
    }

    [Theory]
    [InlineData("{ \"gpt-4o\": { \"input_cost_per_token\": 1e-06, ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    public void Files_that_are_not_a_price_map_fail_with_the_file_named(string json, string expected)
    {
        var catalog = new PriceCatalog();
        var e = Assert.Throws<PriceFileFormatException>(() => catalog.ImportLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(json)), "prices.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("prices.json", e.Message, StringComparison.Ordinal);

        // Nothing half-imported: the defaults are intact.
        Assert.True(catalog.TryGetPrice("gpt-4o", out var p));
        Assert.Equal(2.50m, p.InputPerMillion);
    }

    [Fact]
    public void The_catalogue_file_round_trips_every_price_and_its_header_is_not_a_problem()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-prices-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var entries = new PriceCatalog().Entries.ToList();
            PriceCatalogFile.Write(path, entries, "2026-07-24", DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), "/tmp/x.json");
            var info = PriceCatalogFile.ReadInfo(path);
            Assert.Equal("2026-07-24", info.LastUpdated);
            Assert.Equal("/tmp/x.json", info.ImportedFrom);
            Assert.Equal(entries.Count, info.Entries);

            var fresh = new PriceCatalog([]);
            var result = fresh.ImportLiteLlmFile(path);
            Assert.Equal(entries.Count, result.Imported);
            Assert.Equal(1, result.Unreadable); // last_updated is reported; the promptops_ header keys are not problems
            foreach (var e in entries)
            {
                var back = fresh.GetExact(e.Model)!;
                Assert.Equal(e.InputPerMillion, back.InputPerMillion);
                Assert.Equal(e.CachedInputPerMillion, back.CachedInputPerMillion);
                Assert.Equal(e.CacheWritePerMillion, back.CacheWritePerMillion);
                Assert.Equal(e.OutputPerMillion, back.OutputPerMillion);
                Assert.Equal(e.BatchDiscount, back.BatchDiscount);
                Assert.Equal(e.LongContext?.InputPerMillion, back.LongContext?.InputPerMillion);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_catalogue_file_option_is_read_and_checked_at_start_up_by_name()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-prices-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, """{ "acme-large": { "input_cost_per_token": 4e-06, "output_cost_per_token": 1.6e-05 } }""");
            var options = new PricingOptions { CatalogFile = path };
            Assert.Empty(options.GetErrors());
            Assert.Equal(4m, options.BuildCatalog().GetExact("acme-large")!.InputPerMillion);
            Assert.NotNull(options.BuildCatalog().GetExact("gpt-4o")); // over the built-in prices

            var missing = new PricingOptions { CatalogFile = path + ".missing" };
            Assert.Contains("PromptOps:Pricing:CatalogFile", Assert.Single(missing.GetErrors()), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
