using System.Globalization;
using System.Text.Json;
using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>
/// Reads LiteLLM's <c>model_prices_and_context_window.json</c>: an object whose properties are model ids, each with
/// <c>input_cost_per_token</c>, <c>output_cost_per_token</c> (USD per token), and optionally <c>cache_read_input_token_cost</c>,
/// <c>cache_creation_input_token_cost</c>, <c>input_cost_per_token_batches</c> and long-context prices
/// (<c>input_cost_per_token_above_200k_tokens</c>, …). An entry that cannot be read (a non-object value like the mirrors'
/// <c>last_updated</c>, a price that is not a number, a negative price) is skipped, counted and reported — one bad entry
/// never discards the others. Only a file that is not JSON, or whose root is not an object, throws
/// <see cref="PriceFileFormatException"/>. An imported entry keeps what the catalogue knew and the file does not carry
/// (tier, batch discount, cached-input, cache-write and long-context prices of the same id).
/// </summary>
public static class LiteLlmPriceImporter
{
    /// <summary>The most problems listed in <see cref="LiteLlmImportResult.Problems"/> (all are counted).</summary>
    public const int MaxProblemsListed = 20;

    /// <summary>Parses the file; each entry is merged over <paramref name="existing"/>(id) when that returns the catalogue's entry.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="sourceName">A name for messages (the path).</param>
    /// <param name="existing">The catalogue's current entry of exactly that id (not resolved), or null.</param>
    public static LiteLlmParseResult Parse(Stream json, string? sourceName, Func<string, ModelPriceInfo?>? existing)
    {
        ArgumentNullException.ThrowIfNull(json);
        var source = sourceName ?? "the LiteLLM price file";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new PriceFileFormatException($"{source} is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new PriceFileFormatException($"{source} must be a JSON object of model ids, but its root is {doc.RootElement.ValueKind}.");
            }

            var prices = new List<ModelPriceInfo>();
            var problems = new List<string>();
            int skipped = 0, unreadable = 0;
            string? lastUpdated = null;
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.NameEquals("sample_spec"))
                {
                    skipped++;
                    continue;
                }

                if (entry.Value.ValueKind != JsonValueKind.Object)
                {
                    if (entry.NameEquals("last_updated") && entry.Value.ValueKind == JsonValueKind.String) lastUpdated = entry.Value.GetString();
                    if (entry.Name.StartsWith("promptops_", StringComparison.Ordinal))
                    {
                        // The catalogue file's own header (PriceCatalogFile): metadata, not a problem.
                        skipped++;
                        continue;
                    }

                    Problem($"'{entry.Name}': not a model entry (a {entry.Value.ValueKind}, not an object)");
                    continue;
                }

                try
                {
                    var price = Read(entry, existing?.Invoke(CatalogKey(entry.Name)));
                    if (price is null) skipped++;
                    else prices.Add(price);
                }
                catch (FormatException e)
                {
                    Problem($"'{entry.Name}': {e.Message}");
                }
                catch (ArgumentException e)
                {
                    Problem($"'{entry.Name}': {e.Message}");
                }
            }

            return new LiteLlmParseResult(prices, new LiteLlmImportResult(prices.Count, skipped + unreadable)
            {
                Problems = problems,
                Unreadable = unreadable,
                LastUpdated = lastUpdated,
            });

            void Problem(string text)
            {
                unreadable++;
                if (problems.Count < MaxProblemsListed) problems.Add(text);
            }
        }
    }

    internal static string CatalogKey(string model) => model.Trim().ToLowerInvariant();

    private static ModelPriceInfo? Read(JsonProperty entry, ModelPriceInfo? known)
    {
        var input = ReadPerToken(entry, "input_cost_per_token");
        var output = ReadPerToken(entry, "output_cost_per_token");
        if (input is null && output is null) return null;

        var inputM = (input ?? 0m) * 1_000_000m;
        var outputM = (output ?? 0m) * 1_000_000m;
        var cachedM = ReadPerToken(entry, "cache_read_input_token_cost") * 1_000_000m ?? known?.CachedInputPerMillion ?? inputM;
        var writeM = ReadPerToken(entry, "cache_creation_input_token_cost") * 1_000_000m ?? known?.CacheWritePerMillion;
        var batchInput = ReadPerToken(entry, "input_cost_per_token_batches");
        var batchOutput = ReadPerToken(entry, "output_cost_per_token_batches");
        var discount = known?.BatchDiscount ?? 0m;
        if (batchInput is { } b && input is { } i && i > 0)
        {
            discount = b < i ? decimal.Round(1 - (b / i), 4) : 0m;
        }
        else if (batchOutput is { } bo && output is { } o && o > 0)
        {
            discount = bo < o ? decimal.Round(1 - (bo / o), 4) : 0m;
        }

        var longContext = known?.LongContext;
        foreach (var threshold in (ReadOnlySpan<int>)[128, 200, 272])
        {
            if (ReadPerToken(entry, $"input_cost_per_token_above_{threshold}k_tokens") is not { } lcInput) continue;
            var lcWrite = ReadPerToken(entry, $"cache_creation_input_token_cost_above_{threshold}k_tokens");
            longContext = new LongContextPrice(threshold * 1000L, lcInput * 1_000_000m,
                ReadPerToken(entry, $"cache_read_input_token_cost_above_{threshold}k_tokens") * 1_000_000m,
                writeM is null ? null : lcWrite * 1_000_000m,
                ReadPerToken(entry, $"output_cost_per_token_above_{threshold}k_tokens") * 1_000_000m);
            break;
        }

        var provider = entry.Value.TryGetProperty("litellm_provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : known?.Provider;
        return new ModelPriceInfo(entry.Name, inputM, cachedM, writeM, outputM, discount, known?.Tier, known?.SelfHosted ?? false, provider, longContext);
    }

    private static decimal? ReadPerToken(JsonProperty entry, string field)
    {
        if (!entry.Value.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        decimal d;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetDecimal(out d))
            {
                // Exponent forms like 2.5e-06 parse as double.
                d = (decimal)value.GetDouble();
            }
        }
        else if (value.ValueKind == JsonValueKind.String
                 && decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d))
        {
        }
        else
        {
            throw new FormatException($"{field} must be a number, but is {value.ValueKind} ({value.GetRawText()}).");
        }

        if (d < 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{field} is negative ({d})."));
        }

        return d;
    }
}
