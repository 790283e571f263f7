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
    [InlineData("gpt-4-turbo", 10.00, 30.00)]
    [InlineData("claude-sonnet", 3.00, 15.00)]
    [InlineData("claude-haiku", 0.25, 1.25)]
    [InlineData("claude-opus", 15.00, 75.00)]
    [InlineData("gemini-1.5-pro", 1.25, 5.00)]
    [InlineData("gemini-1.5-flash", 0.075, 0.30)]
    public void Default_prices_match_the_design(string model, double input, double output)
    {
        Assert.True(new PriceCatalog().TryGetPrice(model, out var p));
        Assert.Equal((decimal)input, p.InputPerMillion);
        Assert.Equal((decimal)output, p.OutputPerMillion);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("GPT-4o-Mini", "gpt-4o-mini")]
    [InlineData("openai/gpt-4o", "gpt-4o")]
    [InlineData("claude-3-5-sonnet-20241022", "claude-sonnet")]
    [InlineData("claude-3-haiku-20240307", "claude-haiku")]
    [InlineData("gpt-4o-latest", "gpt-4o")]
    public void Provider_ids_resolve_to_catalogue_entries(string id, string expected)
    {
        Assert.True(new PriceCatalog().TryGetPrice(id, out var p));
        Assert.Equal(expected, p.Model);
    }

    [Theory]
    [InlineData("gpt-4o-audio-preview")]
    [InlineData("llama-3-70b")]
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

        Assert.True(catalog.TryGetPrice("gpt-4o", out var gpt4o));
        Assert.Equal(5m, gpt4o.InputPerMillion);
        Assert.Equal(2.5m, gpt4o.CachedInputPerMillion);
        Assert.Equal(15m, gpt4o.OutputPerMillion);
        Assert.Equal(0.5m, gpt4o.BatchDiscount);
        Assert.Equal(ModelTier.HighQuality, gpt4o.Tier);

        Assert.True(catalog.TryGetPrice("anthropic/claude-3-5-haiku-20241022", out var haiku));
        Assert.Equal(0.8m, haiku.InputPerMillion);
        Assert.Equal(0.08m, haiku.CachedInputPerMillion);
        Assert.False(catalog.TryGetPrice("dall-e-3", out _));
        Assert.Equal(0.02m, catalog.Cost("text-embedding-3-small", 1_000_000, 0, 0).Usd);
    }

    [Theory]
    [InlineData("{ \"gpt-4o\": { \"input_cost_per_token\": 1e-06, ", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object")]
    [InlineData("{ \"gpt-4o\": 3 }", "'gpt-4o' must be an object")]
    [InlineData("{ \"gpt-4o\": { \"input_cost_per_token\": \"cheap\" } }", "'gpt-4o'.input_cost_per_token must be a number")]
    [InlineData("{ \"gpt-4o\": { \"input_cost_per_token\": -1e-06 } }", "'gpt-4o'.input_cost_per_token is negative")]
    public void Malformed_LiteLlm_files_fail_with_the_place_named(string json, string expected)
    {
        var catalog = new PriceCatalog();
        var e = Assert.Throws<PriceFileFormatException>(() => catalog.ImportLiteLlm(new MemoryStream(Encoding.UTF8.GetBytes(json)), "prices.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("prices.json", e.Message, StringComparison.Ordinal);

        // Nothing half-imported: the defaults are intact.
        Assert.True(catalog.TryGetPrice("gpt-4o", out var p));
        Assert.Equal(2.50m, p.InputPerMillion);
    }
}
