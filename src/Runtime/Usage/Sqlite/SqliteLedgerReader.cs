using System.Globalization;
using Microsoft.Data.Sqlite;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using PromptOps.Caching;
using SQLitePCL;

namespace PromptOps.Usage.Sqlite;

/// <summary>Reads the records of a SQLite ledger written by <see cref="SqliteUsageSink"/> (read-only; the writer may be running).</summary>
public static class SqliteLedgerReader
{
    /// <summary>
    /// Streams the records of the ledger at <paramref name="path"/> in time order, optionally only those with
    /// <paramref name="from"/> ≤ timestamp &lt; <paramref name="to"/>. The file is opened when enumeration starts and
    /// closed when it ends. Repeated strings (models, endpoints, users…) share one instance per enumeration.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/> (thrown on enumeration).</exception>
    /// <exception cref="InvalidDataException">The file is not a PromptOps ledger or has a newer schema (thrown on enumeration).</exception>
    public static IEnumerable<UsageRecord> Read(string path, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (from is { } f && to is { } t && t < f) throw new ArgumentOutOfRangeException(nameof(to), to, $"The end ({t:O}) is before the start ({f:O}).");
        return ReadIterator(path, from, to);
    }

    /// <summary>The number of records in the ledger at <paramref name="path"/>.</summary>
    public static long Count(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var connection = SqliteLedgerSchema.OpenForReading(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM usage_records";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static IEnumerable<UsageRecord> ReadIterator(string path, DateTimeOffset? from, DateTimeOffset? to)
    {
        using var connection = SqliteLedgerSchema.OpenForReading(path);
        var where = new List<string>(2);
        if (from is not null) where.Add("timestamp_ms >= $from");
        if (to is not null) where.Add("timestamp_ms < $to");
        var sql = $"SELECT {SqliteLedgerSchema.SelectColumns} FROM usage_records" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY timestamp_ms, id";

        // Read through SQLitePCLRaw (the native API under Microsoft.Data.Sqlite): a million rows through the ADO.NET
        // reader allocated ~0.5 GB and took most of the report time; here each row allocates its record and nothing else.
        Check(connection, raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
        using (statement)
        {
            if (from is { } f) raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$from"), f.ToUnixTimeMilliseconds());
            if (to is { } t) raw.sqlite3_bind_int64(statement, raw.sqlite3_bind_parameter_index(statement, "$to"), t.ToUnixTimeMilliseconds());
            var strings = new StringPool();
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE) yield break;
                if (rc != raw.SQLITE_ROW) Check(connection, rc);
                yield return Row(statement, strings);
            }
        }
    }

    private static UsageRecord Row(sqlite3_stmt s, StringPool strings) => new()
    {
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(raw.sqlite3_column_int64(s, 0)),
        PromptId = strings.Get(s, 1),
        PromptVersion = strings.Get(s, 2),
        Task = strings.Get(s, 3),
        Endpoint = strings.Get(s, 4),
        UserId = strings.Get(s, 5),
        ModelId = strings.Get(s, 6),
        Tier = strings.Get(s, 7),
        InputTokens = raw.sqlite3_column_int64(s, 8),
        CachedInputTokens = raw.sqlite3_column_int64(s, 9),
        OutputTokens = raw.sqlite3_column_int64(s, 10),
        CostUsd = raw.sqlite3_column_type(s, 11) == raw.SQLITE_NULL ? null : SqliteLedgerSchema.FromPico(raw.sqlite3_column_int64(s, 11)),
        CostSavedUsd = raw.sqlite3_column_type(s, 12) == raw.SQLITE_NULL ? null : SqliteLedgerSchema.FromPico(raw.sqlite3_column_int64(s, 12)),
        CacheLayer = (CacheLayer)raw.sqlite3_column_int64(s, 13),
        Latency = TimeSpan.FromTicks(raw.sqlite3_column_int64(s, 14) * TimeSpan.TicksPerMicrosecond),
        Outcome = (UsageOutcome)raw.sqlite3_column_int64(s, 15),
        ErrorType = strings.Get(s, 16),
        LimitName = strings.Get(s, 17),
        Streaming = raw.sqlite3_column_int64(s, 18) != 0,
        IsPriced = raw.sqlite3_column_int64(s, 19) != 0,
    };

    private static void Check(SqliteConnection connection, int rc)
    {
        if (rc is raw.SQLITE_OK or raw.SQLITE_DONE or raw.SQLITE_ROW) return;
        throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(connection.Handle).utf8_to_string()}", rc);
    }

    /// <summary>
    /// Turns a TEXT column into a string without allocating when the same text was seen before in this enumeration
    /// (a million records name a few dozen models and endpoints and a few thousand users).
    /// </summary>
    private sealed class StringPool
    {
        private const int MaxPooled = 100_000;
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
        private char[] _chars = new char[256];

        public StringPool() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

        public string? Get(sqlite3_stmt statement, int column)
        {
            // A TEXT column's UTF-8 bytes. NULL and '' both come back as a null pointer (the writer stores '' as NULL),
            // which saves a sqlite3_column_type call per text column.
            var bytes = raw.sqlite3_column_blob(statement, column);
            if (Unsafe.IsNullRef(in MemoryMarshal.GetReference(bytes))) return null;
            if (bytes.Length > _chars.Length) _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
            var chars = _chars.AsSpan(0, Encoding.UTF8.GetChars(bytes, _chars));
            if (_lookup.TryGetValue(chars, out var pooled)) return pooled;
            var s = new string(chars);
            if (_pool.Count < MaxPooled) _pool[s] = s;
            return s;
        }
    }
}
