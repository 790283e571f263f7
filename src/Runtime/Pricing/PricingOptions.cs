using Microsoft.Extensions.Logging;
using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>Price catalogue options (configuration section <c>PromptOps:Pricing</c>).</summary>
public sealed class PricingOptions
{
    /// <summary>A LiteLLM <c>model_prices_and_context_window.json</c> to import over the defaults, or null.</summary>
    public string? LiteLlmFile { get; set; }

    /// <summary>
    /// The catalogue file <c>promptops prices --import</c> writes (default <c>~/.promptops/prices.json</c>, see
    /// <see cref="PriceCatalogFile.DefaultPath"/>), or null. Read after the built-in prices and before <see cref="LiteLlmFile"/>.
    /// </summary>
    public string? CatalogFile { get; set; }

    /// <summary>Model id → price; applied last, so it wins over the defaults and the file.</summary>
    public Dictionary<string, ModelPriceOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (!string.IsNullOrWhiteSpace(CatalogFile))
        {
            string? error = null;
            try
            {
                new PriceCatalog([]).ImportLiteLlmFile(CatalogFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PriceFileFormatException or ArgumentException)
            {
                error = $"PromptOps:Pricing:CatalogFile '{CatalogFile}' cannot be used: {e.Message}";
            }

            if (error is not null) yield return error;
        }

        if (!string.IsNullOrWhiteSpace(LiteLlmFile))
        {
            string? error = null;
            try
            {
                new PriceCatalog([]).ImportLiteLlmFile(LiteLlmFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PriceFileFormatException or ArgumentException)
            {
                error = $"PromptOps:Pricing:LiteLlmFile '{LiteLlmFile}' cannot be used: {e.Message}";
            }

            if (error is not null) yield return error;
        }

        foreach (var (model, p) in Models ?? [])
        {
            string? error = null;
            try
            {
                ToPrice(model, p);
            }
            catch (ArgumentException e)
            {
                error = $"PromptOps:Pricing:Models:{model}: {e.Message}";
            }

            if (error is not null) yield return error;
        }
    }

    /// <summary>Builds the catalogue: defaults, then <see cref="CatalogFile"/>, then the LiteLLM file, then <see cref="Models"/>.</summary>
    public PriceCatalog BuildCatalog() => BuildCatalog(null);

    /// <summary>
    /// Builds the catalogue (<see cref="BuildCatalog()"/>) and logs, once, the entries of <see cref="CatalogFile"/> and
    /// <see cref="LiteLlmFile"/> that could not be read and were skipped, instead of skipping them silently.
    /// </summary>
    /// <param name="logger">Where the problems are logged; null: not logged.</param>
    public PriceCatalog BuildCatalog(ILogger? logger)
    {
        var catalog = new PriceCatalog();
        void Import(string setting, string? path)
        {
            if (string.IsNullOrWhiteSpace(path)) return;
            var result = catalog.ImportLiteLlmFile(path);
            if (result.Unreadable > 0 && logger is not null)
            {
                var listed = string.Join("; ", result.Problems);
                var more = result.Unreadable > result.Problems.Count ? $" (and {result.Unreadable - result.Problems.Count} more)" : "";
                PricingLog.UnreadableEntries(logger, setting, path, result.Unreadable, result.Imported, listed + more);
            }
        }

        Import("PromptOps:Pricing:CatalogFile", CatalogFile);
        Import("PromptOps:Pricing:LiteLlmFile", LiteLlmFile);
        catalog.SetMany((Models ?? []).Select(kv => ToPrice(kv.Key, kv.Value)));
        return catalog;
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal PricingOptions Clone() => new() { LiteLlmFile = LiteLlmFile, CatalogFile = CatalogFile, Models = new(Models, StringComparer.OrdinalIgnoreCase) };

    private static ModelPriceInfo ToPrice(string model, ModelPriceOptions p)
    {
        ModelTier? tier = null;
        if (p.Tier is not null) tier = ModelTiers.Parse(p.Tier);
        return new ModelPriceInfo(model, p.Input, p.CachedInput ?? p.Input, p.Output, p.BatchDiscount, tier, p.SelfHosted);
    }
}
