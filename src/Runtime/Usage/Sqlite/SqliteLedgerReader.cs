using System.Globalization;
using Microsoft.Data.Sqlite;
using PromptOps.Caching;

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
        using var command = connection.CreateCommand();
        var where = new List<string>(2);
        if (from is { } f)
        {
            where.Add("timestamp_ms >= $from");
            command.Parameters.AddWithValue("$from", f.ToUnixTimeMilliseconds());
        }

        if (to is { } t)
        {
            where.Add("timestamp_ms < $to");
            command.Parameters.AddWithValue("$to", t.ToUnixTimeMilliseconds());
        }

        command.CommandText = $"SELECT {SqliteLedgerSchema.SelectColumns} FROM usage_records" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + " ORDER BY timestamp_ms, id";
        using var reader = command.ExecuteReader();
        var strings = new StringPool();
        while (reader.Read())
        {
            yield return new UsageRecord
            {
                Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                PromptId = strings.Get(reader, 1),
                PromptVersion = strings.Get(reader, 2),
                Task = strings.Get(reader, 3),
                Endpoint = strings.Get(reader, 4),
                UserId = strings.Get(reader, 5),
                ModelId = strings.Get(reader, 6),
                Tier = strings.Get(reader, 7),
                InputTokens = reader.GetInt64(8),
                CachedInputTokens = reader.GetInt64(9),
                OutputTokens = reader.GetInt64(10),
                CostUsd = reader.IsDBNull(11) ? null : SqliteLedgerSchema.FromPico(reader.GetInt64(11)),
                CostSavedUsd = reader.IsDBNull(12) ? null : SqliteLedgerSchema.FromPico(reader.GetInt64(12)),
                CacheLayer = (CacheLayer)reader.GetInt32(13),
                Latency = TimeSpan.FromTicks(reader.GetInt64(14) * TimeSpan.TicksPerMicrosecond),
                Outcome = (UsageOutcome)reader.GetInt32(15),
                ErrorType = strings.Get(reader, 16),
                LimitName = strings.Get(reader, 17),
                Streaming = reader.GetInt64(18) != 0,
                IsPriced = reader.GetInt64(19) != 0,
            };
        }
    }

    /// <summary>Dedupes the strings of one enumeration (a million records name a few dozen models and endpoints).</summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

        public string? Get(SqliteDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal)) return null;
            var s = reader.GetString(ordinal);
            if (_pool.TryGetValue(s, out var pooled)) return pooled;
            if (_pool.Count < 100_000) _pool[s] = s;
            return s;
        }
    }
}
