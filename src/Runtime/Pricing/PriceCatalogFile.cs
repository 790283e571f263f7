using System.Globalization;
using System.Text;
using System.Text.Json;
using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>
/// The catalogue file: prices imported with <c>promptops prices --import</c>, kept so that later commands and the runtime
/// (<c>PromptOps:Pricing:CatalogFile</c>) use them. Its format is LiteLLM's <c>model_prices_and_context_window.json</c> (so
/// any tool that reads that map reads it, and <see cref="PriceCatalog.ImportLiteLlmFile"/> loads it) with three extra
/// string keys: <c>last_updated</c> (the date of the imported prices), <c>promptops_imported_at</c> and
/// <c>promptops_imported_from</c>. Every entry is written whole — batch, cache-write and long-context prices included —
/// so nothing the built-in catalogue knew is lost when it is read back.
/// </summary>
public static class PriceCatalogFile
{
    /// <summary><c>~/.promptops/prices.json</c>.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".promptops", "prices.json");

    /// <summary>What a catalogue file says about itself.</summary>
    /// <param name="LastUpdated">The date of the prices (the imported map's <c>last_updated</c>), if known.</param>
    /// <param name="ImportedAt">When they were imported.</param>
    /// <param name="ImportedFrom">The file they were imported from.</param>
    /// <param name="Entries">How many model entries the file holds.</param>
    public sealed record Info(string? LastUpdated, string? ImportedAt, string? ImportedFrom, int Entries);

    /// <summary>Reads the header keys and counts the entries of a catalogue file.</summary>
    public static Info ReadInfo(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new PriceFileFormatException($"{path} must be a JSON object of model ids.");
        string? Get(string key) => doc.RootElement.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var entries = doc.RootElement.EnumerateObject().Count(p => p.Value.ValueKind == JsonValueKind.Object);
        return new Info(Get("last_updated"), Get("promptops_imported_at"), Get("promptops_imported_from"), entries);
    }

    /// <summary>Writes <paramref name="entries"/> to <paramref name="path"/> (creating its folder), replacing the file atomically.</summary>
    public static void Write(string path, IEnumerable<ModelPriceInfo> entries, string? lastUpdated, DateTimeOffset importedAt, string? importedFrom)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(entries);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp";
        using (var stream = File.Create(temp))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            if (lastUpdated is not null) json.WriteString("last_updated", lastUpdated);
            json.WriteString("promptops_imported_at", importedAt.ToString("O", CultureInfo.InvariantCulture));
            if (importedFrom is not null) json.WriteString("promptops_imported_from", importedFrom);
            foreach (var e in entries.OrderBy(e => e.Model, StringComparer.Ordinal))
            {
                json.WriteStartObject(e.Model);
                PerToken(json, "input_cost_per_token", e.InputPerMillion);
                PerToken(json, "cache_read_input_token_cost", e.CachedInputPerMillion);
                if (e.CacheWritePerMillion is { } w) PerToken(json, "cache_creation_input_token_cost", w);
                PerToken(json, "output_cost_per_token", e.OutputPerMillion);
                // The batch discount as LiteLLM's batch prices (a discount of 0 is written too: "no batch discount").
                PerToken(json, "input_cost_per_token_batches", e.InputPerMillion * (1 - e.BatchDiscount));
                PerToken(json, "output_cost_per_token_batches", e.OutputPerMillion * (1 - e.BatchDiscount));
                if (e.LongContext is { } lc)
                {
                    var k = (lc.ThresholdTokens / 1000).ToString(CultureInfo.InvariantCulture);
                    PerToken(json, $"input_cost_per_token_above_{k}k_tokens", lc.InputPerMillion);
                    if (lc.CachedInputPerMillion is { } c) PerToken(json, $"cache_read_input_token_cost_above_{k}k_tokens", c);
                    if (lc.CacheWritePerMillion is { } cw) PerToken(json, $"cache_creation_input_token_cost_above_{k}k_tokens", cw);
                    if (lc.OutputPerMillion is { } o) PerToken(json, $"output_cost_per_token_above_{k}k_tokens", o);
                }

                if (e.Provider is not null) json.WriteString("litellm_provider", e.Provider);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        File.Move(temp, full, overwrite: true);
    }

    private static void PerToken(Utf8JsonWriter json, string name, decimal perMillion) => json.WriteNumber(name, perMillion / 1_000_000m);
}
