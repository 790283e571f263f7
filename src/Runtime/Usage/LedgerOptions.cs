using System.Globalization;

namespace PromptOps.Usage;

/// <summary>The usage ledger (configuration section <c>PromptOps:Ledger</c>).</summary>
public sealed class LedgerOptions
{
    /// <summary>
    /// The SQLite file the ledger is written to (created with its folder when missing). Checked at start-up
    /// (<see cref="GetErrors"/>): a directory, a path under a file, or an existing file that is not a SQLite database is an
    /// error naming this option and the path. Null or empty: no SQLite ledger
    /// (usage records still go to the <see cref="IUsageSink"/>s registered in the container).
    /// </summary>
    public string? SqlitePath { get; set; }

    /// <summary>Records queued for the background writer at most (default 65,536). What happens beyond: <see cref="OverflowPolicy"/>.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>Records written in one transaction at most (default 1,000). The writer takes what is queued, up to this many.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>What to do when the queue is full (default <see cref="LedgerOverflowPolicy.DropNewest"/>).</summary>
    public LedgerOverflowPolicy OverflowPolicy { get; set; } = LedgerOverflowPolicy.DropNewest;

    /// <summary>
    /// Back-pressure instead of loss (<c>PromptOps:Ledger:BlockWhenFull</c>): when the queue is full, the request waits
    /// for the writer to make room and no record is dropped — the <see cref="LedgerOverflowPolicy.Wait"/> policy, as a
    /// switch. Default: off. Cannot be combined with <see cref="LedgerOverflowPolicy.DropOldest"/>.
    /// </summary>
    public bool BlockWhenFull { get; set; }

    /// <summary>The policy the sink applies: <see cref="LedgerOverflowPolicy.Wait"/> when <see cref="BlockWhenFull"/>, else <see cref="OverflowPolicy"/>.</summary>
    public LedgerOverflowPolicy EffectiveOverflowPolicy => BlockWhenFull ? LedgerOverflowPolicy.Wait : OverflowPolicy;

    /// <summary>True when <see cref="SqlitePath"/> is set.</summary>
    public bool IsSqliteEnabled => !string.IsNullOrWhiteSpace(SqlitePath);

    /// <summary>Every problem with these options, each naming the bad value; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (QueueCapacity < 1) errors.Add(string.Create(CultureInfo.InvariantCulture, $"PromptOps:Ledger:QueueCapacity must be at least 1 (was {QueueCapacity})."));
        if (BatchSize < 1) errors.Add(string.Create(CultureInfo.InvariantCulture, $"PromptOps:Ledger:BatchSize must be at least 1 (was {BatchSize})."));
        if (!Enum.IsDefined(OverflowPolicy)) errors.Add($"PromptOps:Ledger:OverflowPolicy '{OverflowPolicy}' is not one of DropNewest, DropOldest, Wait.");
        if (BlockWhenFull && OverflowPolicy == LedgerOverflowPolicy.DropOldest)
            errors.Add("PromptOps:Ledger:BlockWhenFull is true but PromptOps:Ledger:OverflowPolicy is DropOldest: a full queue cannot both wait and drop; set one of them.");
        if (SqlitePath is { } path && path.Length > 0 && string.IsNullOrWhiteSpace(path)) errors.Add("PromptOps:Ledger:SqlitePath is blank; leave it unset to turn the SQLite ledger off.");
        if (SqlitePath is { } p && p.IndexOfAny(Path.GetInvalidPathChars()) >= 0) errors.Add($"PromptOps:Ledger:SqlitePath '{p}' contains characters that are not valid in a path.");
        else if (IsSqliteEnabled && CheckSqlitePath(SqlitePath!) is { } pathError) errors.Add(pathError);
        return errors;
    }

    /// <summary>The start-up check of the ledger file: not a directory, under a directory, and an existing file must be a SQLite database.</summary>
    private static string? CheckSqlitePath(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full)) return $"PromptOps:Ledger:SqlitePath '{path}' is a directory ({full}); it must name a SQLite file (e.g. {Path.Combine(full, "promptops-ledger.db")}).";
            if (File.Exists(full))
            {
                // Every SQLite 3 database starts with this 16-byte header; an empty file is a new, empty database.
                Span<byte> header = stackalloc byte[16];
                int read;
                using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                {
                    read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
                }

                if (read > 0 && (read < header.Length || !header.SequenceEqual("SQLite format 3\0"u8)))
                    return $"PromptOps:Ledger:SqlitePath '{path}' ({full}) is not a SQLite database file; point it at a new file or an existing PromptOps ledger.";
                return null;
            }

            // A new file: the nearest existing ancestor must be a directory (the ledger creates the missing ones).
            for (var dir = Path.GetDirectoryName(full); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            {
                if (Directory.Exists(dir)) return null;
                if (File.Exists(dir)) return $"PromptOps:Ledger:SqlitePath '{path}' ({full}) is under '{dir}', which is a file, not a directory.";
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return $"PromptOps:Ledger:SqlitePath '{path}' cannot be checked: {e.Message}";
        }
    }

    /// <summary>A copy.</summary>
    internal LedgerOptions Clone() => (LedgerOptions)MemberwiseClone();
}
