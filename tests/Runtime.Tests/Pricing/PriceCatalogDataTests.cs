using System.Text.Json;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Tests.Pricing;

/// <summary>
/// The built-in catalogue (src/Shared/Knowledge/DefaultPrices.Catalog.cs) is generated from the committed extract of
/// LiteLLM's price map (tools/prices/litellm-extract.json): these tests read the extract with the importer and check that
/// the two cannot drift, and that every id of the extract — dated, Bedrock, Gemini — resolves to its own prices.
/// </summary>
public class PriceCatalogDataTests
{
    private static readonly string ExtractPath = Path.Combine(RepositoryRoot(), "tools", "prices", "litellm-extract.json");

    private static readonly HashSet<string> HalfPriceBatchProviders =
        ["openai", "anthropic", "gemini", "vertex_ai-language-models", "vertex_ai-anthropic_models"];

    [Fact]
    public void Every_built_in_entry_is_the_extracts_entry()
    {
        var extract = new PriceCatalog([]);
        var result = extract.ImportLiteLlmFile(ExtractPath);
        Assert.Equal(1, result.Unreadable); // last_updated, reported, not fatal
        Assert.Equal(DefaultPrices.CatalogDate, result.LastUpdated![..10]);

        foreach (var builtIn in DefaultPrices.All)
        {
            var e = extract.GetExact(builtIn.Model);
            Assert.True(e is not null, builtIn.Model + " is not in the extract");
            AssertSamePrices(e, builtIn);
        }
    }

    [Fact]
    public void Every_id_of_the_extract_resolves_to_a_catalogue_entry_with_its_prices()
    {
        var extract = new PriceCatalog([]);
        extract.ImportLiteLlmFile(ExtractPath);
        var catalog = new PriceCatalog();
        Assert.True(extract.Entries.Count >= 200, "the extract holds " + extract.Entries.Count + " models");
        foreach (var e in extract.Entries)
        {
            Assert.True(catalog.TryGetPrice(e.Model, out var resolved), e.Model + " is unpriced");
            AssertSamePrices(e, resolved);
        }
    }

    [Fact]
    public void The_extract_is_in_LiteLLMs_format_with_its_date()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(ExtractPath));
        Assert.StartsWith(DefaultPrices.CatalogDate, doc.RootElement.GetProperty("last_updated").GetString(), StringComparison.Ordinal);
        foreach (var entry in doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            Assert.True(entry.Value.TryGetProperty("input_cost_per_token", out _), entry.Name);
            Assert.True(entry.Value.TryGetProperty("litellm_provider", out _), entry.Name);
        }
    }

    /// <summary>The extract's prices; where it has no batch price, the provider's Batch API rule (50% or none).</summary>
    private static void AssertSamePrices(ModelPriceInfo fromExtract, ModelPriceInfo actual)
    {
        var name = fromExtract.Model;
        Assert.True(fromExtract.InputPerMillion == actual.InputPerMillion, $"{name}: input {fromExtract.InputPerMillion} vs {actual.InputPerMillion}");
        Assert.True(fromExtract.CachedInputPerMillion == actual.CachedInputPerMillion, $"{name}: cached input");
        Assert.True(fromExtract.CacheWritePerMillion == actual.CacheWritePerMillion, $"{name}: cache write");
        Assert.True(fromExtract.OutputPerMillion == actual.OutputPerMillion, $"{name}: output");
        Assert.True(fromExtract.LongContext?.ThresholdTokens == actual.LongContext?.ThresholdTokens, $"{name}: long-context threshold");
        Assert.True(fromExtract.LongContext?.InputPerMillion == actual.LongContext?.InputPerMillion, $"{name}: long-context input");
        Assert.True(fromExtract.LongContext?.OutputPerMillion == actual.LongContext?.OutputPerMillion, $"{name}: long-context output");
        var batch = fromExtract.BatchDiscount != 0 ? fromExtract.BatchDiscount
            : fromExtract.Provider is { } p && HalfPriceBatchProviders.Contains(p) ? 0.5m : 0m;
        Assert.True(batch == actual.BatchDiscount, $"{name}: batch discount {batch} vs {actual.BatchDiscount}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PromptOps.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("PromptOps.sln not found above " + AppContext.BaseDirectory);
    }
}
