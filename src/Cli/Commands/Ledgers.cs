using System.Data.Common;
using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Reports;
using PromptOps.Usage;

namespace PromptOps.Cli.Commands;

/// <summary>Loads a SQLite ledger, turning every failure into one line.</summary>
internal static class Ledgers
{
    public static UsageLedger Load(string path, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        try
        {
            return UsageLedger.LoadSqlite(path, from, to);
        }
        catch (FileNotFoundException)
        {
            throw new CliInputException($"cannot read '{path}': no such file");
        }
        catch (Exception e) when (e is DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            throw new CliInputException($"cannot read '{path}': {Inputs.Reason(e)}");
        }
        catch (InvalidDataException e)
        {
            throw new CliInputException(PromptOpsCli.OneLine(e.Message));
        }
        catch (DbException e)
        {
            throw new CliInputException($"'{path}' is not a PromptOps ledger: {PromptOpsCli.OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// Prices the provider calls the ledger recorded as unpriced whose model the catalogue knows now (an imported price
    /// file, a newer PromptOps), from their recorded tokens; returns the ledger and how many calls were priced so.
    /// </summary>
    public static (UsageLedger Ledger, int Repriced) PriceUnpriced(UsageLedger ledger, PriceCatalog catalog)
    {
        var repriced = 0;
        var records = new List<UsageRecord>(ledger.Records.Count);
        foreach (var r in ledger.Records)
        {
            if (!r.IsPriced && r.CostUsd is null && r.CacheLayer == CacheLayer.None && r.Attempts is null
                && catalog.Cost(r.ModelId, r.InputTokens, r.CachedInputTokens, r.OutputTokens) is { Usd: { } usd })
            {
                records.Add(r with { CostUsd = usd, IsPriced = true });
                repriced++;
            }
            else
            {
                records.Add(r);
            }
        }

        return repriced == 0 ? (ledger, 0) : (UsageLedger.From(records), repriced);
    }

    /// <summary>Parses <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly? ParseDay(string? text, string option)
    {
        if (text is null) return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            ? day
            : throw new CliInputException($"{option} must be a date like 2026-11-30, not '{text}'.", PromptOpsCli.UsageError);
    }
}
