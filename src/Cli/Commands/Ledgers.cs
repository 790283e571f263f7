using System.Data.Common;
using PromptOps.Reports;

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

    /// <summary>Parses <c>yyyy-MM-dd</c>.</summary>
    public static DateOnly? ParseDay(string? text, string option)
    {
        if (text is null) return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day)
            ? day
            : throw new CliInputException($"{option} must be a date like 2026-11-30, not '{text}'.", PromptOpsCli.UsageError);
    }
}
