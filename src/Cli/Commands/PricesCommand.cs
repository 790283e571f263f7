using System.CommandLine;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using Spectre.Console;

namespace PromptOps.Cli.Commands;

/// <summary>
/// <c>promptops prices</c>: the price catalogue (USD per 1M tokens) — the built-in prices and the catalogue file, with the
/// date of each; <c>--import FILE</c> merges a LiteLLM <c>model_prices_and_context_window.json</c> into the catalogue file
/// (<c>--catalog PATH</c>, default <c>~/.promptops/prices.json</c>) and says what changed; <c>--model TEXT</c> keeps the
/// models whose id contains it.
/// </summary>
internal static class PricesCommand
{
    private const int ChangesListed = 20;

    public static Command Create(IAnsiConsole console)
    {
        var import = new Option<string?>("--import", "-i") { Description = "A LiteLLM model_prices_and_context_window.json to import into the catalogue file." };
        var filter = new Option<string?>("--model", "-m") { Description = "Show only models whose id contains this text." };
        var catalogOption = Catalogs.CreateOption();
        var command = new Command("prices", "List the price catalogue; import a LiteLLM price file into the catalogue file.") { import, filter, catalogOption };
        command.SetAction(parse =>
        {
            var explicitCatalog = parse.GetValue(catalogOption);
            var importPath = parse.GetValue(import);
            var (catalog, catalogPath, info) = Catalogs.Load(explicitCatalog, mayBeMissing: importPath is not null);
            if (importPath is { } path)
            {
                info = Import(console, catalog, catalogPath, path);
            }

            foreach (var line in Catalogs.Describe(catalogPath, info)) console.MarkupLine(Markup.Escape(line));
            var text = parse.GetValue(filter);
            var entries = catalog.Entries
                .Where(e => text is null || e.Model.Contains(text, StringComparison.OrdinalIgnoreCase))
                .OrderBy(e => e.Model, StringComparer.Ordinal)
                .ToList();
            if (entries.Count == 0)
            {
                throw new CliInputException(text is null ? "the catalogue is empty." : $"no model in the catalogue contains '{text}'.");
            }

            console.MarkupLine("USD per 1M tokens; long context: input/output above the threshold.");
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("model").AddColumn("tier")
                .AddColumn(new TableColumn("input").RightAligned()).AddColumn(new TableColumn("cached").RightAligned())
                .AddColumn(new TableColumn("write").RightAligned())
                .AddColumn(new TableColumn("output").RightAligned()).AddColumn(new TableColumn("batch").RightAligned())
                .AddColumn("long context");
            foreach (var e in entries)
            {
                var tier = (e.Tier is { } t ? ModelTiers.GetName(t) : "-") + (e.SelfHosted ? " (self-hosted)" : "");
                table.AddRow(Markup.Escape(e.Model), tier, Price(e.InputPerMillion), Price(e.CachedInputPerMillion),
                    e.CacheWritePerMillion is { } w ? Price(w) : "-", Price(e.OutputPerMillion), e.BatchDiscount == 0 ? "-" : e.BatchDiscount.ToString("P0"),
                    e.LongContext is { } lc ? $">{lc.ThresholdTokens / 1000:N0}k {Price(lc.InputPerMillion)}/{Price(lc.OutputPerMillion ?? e.OutputPerMillion)}" : "-");
            }

            console.Write(table);
            console.MarkupLine($"{entries.Count:N0} models.");
            return PromptOpsCli.Ok;
        });
        return command;
    }

    private static string Price(decimal perMillion) => perMillion.ToString("0.####");

    private static PriceCatalogFile.Info Import(IAnsiConsole console, PriceCatalog catalog, string catalogPath, string path)
    {
        // What the catalogue file held before (kept unless the new file replaces it), and what each id cost before.
        var previousFile = new PriceCatalog([]);
        if (File.Exists(catalogPath)) previousFile.ImportLiteLlmFile(catalogPath);
        var before = catalog.Entries.ToDictionary(e => e.Model, StringComparer.OrdinalIgnoreCase);

        LiteLlmParseResult parsed;
        try
        {
            using var stream = File.OpenRead(path);
            parsed = catalog.ImportLiteLlmDetailed(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot read '{path}': {Inputs.Reason(e)}");
        }
        catch (PriceFileFormatException e)
        {
            throw new CliInputException(PromptOpsCli.OneLine(e.Message));
        }

        var r = parsed.Result;
        int added = 0, changed = 0, same = 0;
        var changes = new List<string>();
        foreach (var p in parsed.Prices)
        {
            if (!before.TryGetValue(p.Model, out var old))
            {
                added++;
                continue;
            }

            if (old.InputPerMillion == p.InputPerMillion && old.OutputPerMillion == p.OutputPerMillion && old.CachedInputPerMillion == p.CachedInputPerMillion
                && old.CacheWritePerMillion == p.CacheWritePerMillion && old.BatchDiscount == p.BatchDiscount)
            {
                same++;
                continue;
            }

            changed++;
            if (changes.Count < ChangesListed)
            {
                changes.Add($"{p.Model}: input {Price(old.InputPerMillion)} → {Price(p.InputPerMillion)}, output {Price(old.OutputPerMillion)} → {Price(p.OutputPerMillion)}, " +
                            $"cached {Price(old.CachedInputPerMillion)} → {Price(p.CachedInputPerMillion)}");
            }
        }

        var merged = previousFile.Entries.ToDictionary(e => e.Model, StringComparer.OrdinalIgnoreCase);
        foreach (var p in parsed.Prices) merged[p.Model] = p;
        var importedAt = DateTimeOffset.UtcNow;
        try
        {
            PriceCatalogFile.Write(catalogPath, merged.Values, r.LastUpdated ?? importedAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), importedAt,
                Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"cannot write the catalogue '{catalogPath}': {Inputs.Reason(e)}");
        }

        console.MarkupLine(Markup.Escape($"Imported {r.Imported:N0} models from {path}{(r.LastUpdated is null ? "" : $" (prices of {r.LastUpdated})")}."));
        console.MarkupLine(Markup.Escape($"{added:N0} new, {changed:N0} changed, {same:N0} unchanged; {r.Skipped - r.Unreadable:N0} entries without per-token prices skipped" +
                                         (r.Unreadable > 0 ? $", {r.Unreadable:N0} unreadable entries skipped" : "") + "."));
        foreach (var problem in r.Problems) console.MarkupLine("  [yellow]skipped[/] " + Markup.Escape(problem));
        if (r.Unreadable > r.Problems.Count) console.MarkupLine(Markup.Escape($"  … and {r.Unreadable - r.Problems.Count:N0} more unreadable entries."));
        foreach (var c in changes) console.MarkupLine("  changed " + Markup.Escape(c));
        if (changed > changes.Count) console.MarkupLine(Markup.Escape($"  … and {changed - changes.Count:N0} more changed prices."));
        console.MarkupLine(Markup.Escape($"Saved {merged.Count:N0} models to the catalogue {catalogPath}."));
        console.MarkupLine("'promptops estimate' and 'promptops report' use it (--catalog for another file).");
        return PriceCatalogFile.ReadInfo(catalogPath);
    }
}
