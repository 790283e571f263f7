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
        return ReadIterator(path, from, to, direct: null);
    }

    /// <summary>True when rows are read through SQLite's column functions directly (see <c>Native</c>).</summary>
    internal static bool DirectColumnAccess => Native.Available;

    /// <summary>For tests: the same enumeration, through the direct column functions or through SQLitePCLRaw's.</summary>
    internal static IEnumerable<UsageRecord> ReadForTests(string path, bool direct) => ReadIterator(path, null, null, direct);

    /// <summary>The number of records in the ledger at <paramref name="path"/>.</summary>
    public static long Count(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var connection = SqliteLedgerSchema.OpenForReading(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM usage_records";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static IEnumerable<UsageRecord> ReadIterator(string path, DateTimeOffset? from, DateTimeOffset? to, bool? direct)
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
            var fast = direct ?? Native.Available;
            if (fast && !Native.Available) throw new InvalidOperationException("SQLite's column functions could not be loaded directly.");
            while (true)
            {
                var rc = raw.sqlite3_step(statement);
                if (rc == raw.SQLITE_DONE) yield break;
                if (rc != raw.SQLITE_ROW) Check(connection, rc);
                yield return fast ? FastRow(statement.DangerousGetHandle(), strings) : Row(statement, strings);
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

    /// <summary>
    /// The same row through the native library's column functions called directly: SQLitePCLRaw's wrappers take the
    /// statement as a <c>SafeHandle</c> (add-ref and release on every call), which was most of the ~2 µs per row that
    /// reading a million records cost. The statement stays alive: the caller holds its <c>SafeHandle</c> while reading.
    /// </summary>
    private static unsafe UsageRecord FastRow(IntPtr s, StringPool strings) => new()
    {
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(Native.ColumnInt64(s, 0)),
        PromptId = strings.Get(Native.Text(s, 1)),
        PromptVersion = strings.Get(Native.Text(s, 2)),
        Task = strings.Get(Native.Text(s, 3)),
        Endpoint = strings.Get(Native.Text(s, 4)),
        UserId = strings.Get(Native.Text(s, 5)),
        ModelId = strings.Get(Native.Text(s, 6)),
        Tier = strings.Get(Native.Text(s, 7)),
        InputTokens = Native.ColumnInt64(s, 8),
        CachedInputTokens = Native.ColumnInt64(s, 9),
        OutputTokens = Native.ColumnInt64(s, 10),
        CostUsd = Native.ColumnType(s, 11) == raw.SQLITE_NULL ? null : SqliteLedgerSchema.FromPico(Native.ColumnInt64(s, 11)),
        CostSavedUsd = Native.ColumnType(s, 12) == raw.SQLITE_NULL ? null : SqliteLedgerSchema.FromPico(Native.ColumnInt64(s, 12)),
        CacheLayer = (CacheLayer)Native.ColumnInt64(s, 13),
        Latency = TimeSpan.FromTicks(Native.ColumnInt64(s, 14) * TimeSpan.TicksPerMicrosecond),
        Outcome = (UsageOutcome)Native.ColumnInt64(s, 15),
        ErrorType = strings.Get(Native.Text(s, 16)),
        LimitName = strings.Get(Native.Text(s, 17)),
        Streaming = Native.ColumnInt64(s, 18) != 0,
        IsPriced = Native.ColumnInt64(s, 19) != 0,
    };

    /// <summary>
    /// Direct entry points of the SQLite library SQLitePCLRaw loaded (<c>e_sqlite3</c>, Microsoft.Data.Sqlite's
    /// default bundle). Unavailable — and the reader uses SQLitePCLRaw's calls — when another provider is configured or
    /// the library cannot be found.
    /// </summary>
    private static unsafe class Native
    {
        private static readonly delegate* unmanaged<IntPtr, int, long> Int64;
        private static readonly delegate* unmanaged<IntPtr, int, int> Type;
        private static readonly delegate* unmanaged<IntPtr, int, byte*> Blob;
        private static readonly delegate* unmanaged<IntPtr, int, int> Bytes;

        static Native()
        {
            try
            {
                // SQLitePCLRaw is initialised by then: the reader has opened its connection before the first row.
                if (raw.GetNativeLibraryName() != "e_sqlite3") return;
                IntPtr library = default;
                foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (assembly.GetName().Name is "SQLitePCLRaw.provider.e_sqlite3" && NativeLibrary.TryLoad("e_sqlite3", assembly, null, out library)) break;
                }

                if (library == IntPtr.Zero && !NativeLibrary.TryLoad("e_sqlite3", typeof(raw).Assembly, null, out library)) return;
                if (!NativeLibrary.TryGetExport(library, "sqlite3_column_int64", out var int64)
                    || !NativeLibrary.TryGetExport(library, "sqlite3_column_type", out var type)
                    || !NativeLibrary.TryGetExport(library, "sqlite3_column_blob", out var blob)
                    || !NativeLibrary.TryGetExport(library, "sqlite3_column_bytes", out var bytes))
                {
                    return;
                }

                Int64 = (delegate* unmanaged<IntPtr, int, long>)int64;
                Type = (delegate* unmanaged<IntPtr, int, int>)type;
                Blob = (delegate* unmanaged<IntPtr, int, byte*>)blob;
                Bytes = (delegate* unmanaged<IntPtr, int, int>)bytes;
                Available = true;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or InvalidOperationException)
            {
                Available = false;
            }
        }

        public static bool Available { get; }

        public static long ColumnInt64(IntPtr s, int column) => Int64(s, column);

        public static int ColumnType(IntPtr s, int column) => Type(s, column);

        /// <summary>A TEXT column's UTF-8 bytes; empty with a null pointer for NULL (and for '', which the writer stores as NULL).</summary>
        public static ReadOnlySpan<byte> Text(IntPtr s, int column)
        {
            var p = Blob(s, column);
            return p == null ? default : new ReadOnlySpan<byte>(p, Bytes(s, column));
        }
    }

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

        public string? Get(sqlite3_stmt statement, int column) =>
            // A TEXT column's UTF-8 bytes. NULL and '' both come back as a null pointer (the writer stores '' as NULL),
            // which saves a sqlite3_column_type call per text column.
            Get(raw.sqlite3_column_blob(statement, column));

        public string? Get(ReadOnlySpan<byte> bytes)
        {
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
