using System.CommandLine;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Cli.Commands;

/// <summary>
/// The price catalogue the commands use: the built-in prices, then the catalogue file that <c>promptops prices --import</c>
/// writes (<c>--catalog PATH</c>, default <see cref="PriceCatalogFile.DefaultPath"/>, i.e. <c>~/.promptops/prices.json</c>).
/// </summary>
internal static class Catalogs
{
    public static Option<string?> CreateOption() => new("--catalog")
    {
        Description = "The catalogue file written by 'promptops prices --import' (default: ~/.promptops/prices.json; read when it exists).",
    };

    /// <summary>The catalogue and the file it read, if any. A file given explicitly must exist unless <paramref name="mayBeMissing"/>.</summary>
    public static (PriceCatalog Catalog, string Path, PriceCatalogFile.Info? Info) Load(string? explicitPath, bool mayBeMissing = false)
    {
        var path = explicitPath ?? PriceCatalogFile.DefaultPath;
        var catalog = new PriceCatalog();
        if (!File.Exists(path))
        {
            if (explicitPath is not null && !mayBeMissing) throw new CliInputException($"cannot read the catalogue '{explicitPath}': no such file");
            return (catalog, path, null);
        }

        try
        {
            catalog.ImportLiteLlmFile(path);
            return (catalog, path, PriceCatalogFile.ReadInfo(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read the catalogue '{path}': {Inputs.Reason(e)}");
        }
        catch (Exception e) when (e is PriceFileFormatException or System.Text.Json.JsonException)
        {
            throw new CliInputException($"the catalogue '{path}' cannot be used: {PromptOpsCli.OneLine(e.Message)} (import again with 'promptops prices --import FILE')");
        }
    }

    /// <summary>Where the prices come from, in short lines (the console wraps long ones).</summary>
    public static IEnumerable<string> Describe(string path, PriceCatalogFile.Info? info)
    {
        yield return $"Built-in prices of {DefaultPrices.CatalogDate}: {DefaultPrices.CatalogSource}.";
        if (info is null)
        {
            yield return $"No catalogue file ({path}).";
            yield break;
        }

        yield return $"Catalogue file {path}: {info.Entries:N0} models, prices of {info.LastUpdated ?? "an unknown date"}.";
        yield return $"  imported {info.ImportedAt ?? "at an unknown time"}{(info.ImportedFrom is null ? "" : " from " + info.ImportedFrom)}.";
    }
}
