using System.Globalization;
using System.Text.Json;
using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>What an import of a LiteLLM price file did.</summary>
/// <param name="Imported">Entries added or replaced.</param>
/// <param name="Skipped">Entries with no per-token prices (image, audio-per-second and search models), and <c>sample_spec</c>.</param>
public readonly record struct LiteLlmImportResult(int Imported, int Skipped);

/// <summary>A price file that cannot be read; the message names the entry, the field and the position.</summary>
public sealed class PriceFileFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public PriceFileFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Reads LiteLLM's <c>model_prices_and_context_window.json</c>: an object whose properties are model ids, each
/// with <c>input_cost_per_token</c>, <c>output_cost_per_token</c> (USD per token), and optionally
/// <c>cache_read_input_token_cost</c> and <c>input_cost_per_token_batches</c>. Entries without per-token prices are
/// skipped; a value of the wrong type, a negative price or invalid JSON throws <see cref="PriceFileFormatException"/>.
/// </summary>
public static class LiteLlmPriceImporter
{
    /// <summary>Parses the file into price entries.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="sourceName">A name for error messages (the path).</param>
    /// <param name="existingTier">Returns the tier already known for a model id, kept on the imported entry.</param>
    public static (List<ModelPriceInfo> Prices, int Skipped) Parse(Stream json, string? sourceName, Func<string, ModelTier?>? existingTier = null)
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
            var skipped = 0;
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.NameEquals("sample_spec"))
                {
                    skipped++;
                    continue;
                }

                if (entry.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new PriceFileFormatException($"{source}: entry '{entry.Name}' must be an object, but is {entry.Value.ValueKind}.");
                }

                var input = ReadPerToken(source, entry, "input_cost_per_token");
                var output = ReadPerToken(source, entry, "output_cost_per_token");
                if (input is null && output is null)
                {
                    skipped++;
                    continue;
                }

                var inputM = (input ?? 0m) * 1_000_000m;
                var outputM = (output ?? 0m) * 1_000_000m;
                var cachedM = (ReadPerToken(source, entry, "cache_read_input_token_cost") ?? input ?? 0m) * 1_000_000m;
                var batchInput = ReadPerToken(source, entry, "input_cost_per_token_batches");
                var discount = 0m;
                if (batchInput is { } b && input is { } i && i > 0 && b < i)
                {
                    discount = decimal.Round(1 - (b / i), 4);
                }

                var tier = existingTier?.Invoke(entry.Name);
                prices.Add(new ModelPriceInfo(entry.Name, inputM, cachedM, outputM, discount, tier));
            }

            return (prices, skipped);
        }
    }

    private static decimal? ReadPerToken(string source, JsonProperty entry, string field)
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
                 && decimal.TryParse(value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out d))
        {
        }
        else
        {
            throw new PriceFileFormatException($"{source}: '{entry.Name}'.{field} must be a number, but is {value.ValueKind} ({value.GetRawText()}).");
        }

        if (d < 0)
        {
            throw new PriceFileFormatException(string.Create(CultureInfo.InvariantCulture, $"{source}: '{entry.Name}'.{field} is negative ({d})."));
        }

        return d;
    }
}
