using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PromptOps.Usage.Sqlite;

/// <summary>
/// The SQLite ledger's schema (version <see cref="Version"/>, kept in <c>PRAGMA user_version</c>; the file is marked with
/// <c>PRAGMA application_id</c> = <see cref="ApplicationId"/>). One table <c>usage_records</c>, one row per call:
/// <code>
/// id INTEGER PRIMARY KEY, timestamp_ms INTEGER NOT NULL (call start, Unix milliseconds, UTC),
/// prompt_id, prompt_version, task, endpoint, user_id, model, tier TEXT (an empty string is stored as NULL),
/// input_tokens, cached_input_tokens, output_tokens INTEGER NOT NULL,
/// cost_pusd, cost_saved_pusd INTEGER (USD × 10^12, i.e. picodollars, exact for every catalogue price; NULL = unpriced),
/// cache_layer INTEGER NOT NULL (CacheLayer), latency_us INTEGER NOT NULL, outcome INTEGER NOT NULL (UsageOutcome),
/// error_type, limit_name TEXT, streaming, priced INTEGER NOT NULL (0/1),
/// anomalies INTEGER NOT NULL DEFAULT 0 (UsageAnomalies flags: 1 TokensClamped, 2 Estimated, 4 Truncated; added in version 2),
/// cache_write_tokens, reasoning_tokens INTEGER NOT NULL DEFAULT 0 (parts of input_tokens / output_tokens; version 3),
/// cache_ttl_ms INTEGER (the TTL an answer was stored with; NULL when it was not stored), cache_ttl_reason TEXT (why that
/// TTL), escalations INTEGER NOT NULL DEFAULT 0 (times the call moved to a higher tier; version 3),
/// tenant_id, conversation_id TEXT (version 4)
/// </code>
/// and, from version 4, a table <c>budget_events</c> of the budget's alerts and actions (one row per event, written by the
/// instance that raised it: timestamp_ms, kind, scope, scope_id, budget_window, threshold, spent_pusd, limit_pusd,
/// period_end_ms, refused, action_kind, action_trigger, undone — enums as their names); from version 5, the provider batches
/// of deferrable calls: <c>provider_batches</c> (id, provider, provider_batch_id, status, ended, item_count, created_ms,
/// ended_ms) and <c>provider_batch_items</c> (one row per deferred call: id = its custom_id, provider, model, request_json,
/// item_key, prompt_id, prompt_version, task, user_id, tenant_id, endpoint, state 0 queued / 1 submitted / 2 completed /
/// 3 delivered, batch_id, attempts, result_json, error, failure, created_ms, completed_ms, delivered_ms, delivered_to),
/// written by <see cref="PromptOps.Routing.Batching.Sqlite.SqliteProviderBatchStore"/>.
/// with an index on <c>timestamp_ms</c>, and a view <c>usage</c> with readable columns (ISO time, USD as REAL, enum
/// names) for ad-hoc queries with the <c>sqlite3</c> shell. The database runs in WAL mode.
/// <para>Versions: 1 had no <c>anomalies</c> column; 2 none of the version-3 columns; 3 no <c>tenant_id</c>, no <c>conversation_id</c> and no
/// <c>budget_events</c>; 4 none of the batch tables. An older ledger opened for writing is
/// migrated in one transaction (<c>ALTER TABLE … ADD COLUMN</c> for each missing column, with its default; the view
/// recreated); opened for reading it is read as it is, the missing columns read as their defaults.</para>
/// </summary>
internal static class SqliteLedgerSchema
{
    /// <summary>The schema version this PromptOps writes and reads.</summary>
    public const int Version = 5;

    /// <summary>The <c>PRAGMA application_id</c> of a PromptOps ledger (ASCII "POLG").</summary>
    public const int ApplicationId = 0x504F4C47;

    /// <summary>Picodollars per USD: costs are stored as integers of 10^-12 USD.</summary>
    internal const decimal PicoPerUsd = 1_000_000_000_000m;

    internal const string InsertSql =
        "INSERT INTO usage_records (timestamp_ms, prompt_id, prompt_version, task, endpoint, user_id, model, tier, input_tokens, " +
        "cached_input_tokens, output_tokens, cost_pusd, cost_saved_pusd, cache_layer, latency_us, outcome, error_type, limit_name, streaming, priced, anomalies, " +
        "cache_write_tokens, reasoning_tokens, cache_ttl_ms, cache_ttl_reason, escalations, tenant_id, conversation_id) " +
        "VALUES ($ts, $prompt_id, $prompt_version, $task, $endpoint, $user_id, $model, $tier, $input, $cached, $output, $cost, $saved, $layer, " +
        "$latency, $outcome, $error_type, $limit_name, $streaming, $priced, $anomalies, $cache_write, $reasoning, $ttl_ms, $ttl_reason, $escalations, $tenant_id, $conversation_id)";

    private const string CommonColumns =
        "timestamp_ms, prompt_id, prompt_version, task, endpoint, user_id, model, tier, input_tokens, cached_input_tokens, output_tokens, " +
        "cost_pusd, cost_saved_pusd, cache_layer, latency_us, outcome, error_type, limit_name, streaming, priced, ";

    internal const string SelectColumns = CommonColumns + "anomalies, cache_write_tokens, reasoning_tokens, cache_ttl_ms, cache_ttl_reason, escalations, tenant_id, conversation_id";

    internal const string InsertEventSql =
        "INSERT INTO budget_events (timestamp_ms, kind, scope, scope_id, budget_window, threshold, spent_pusd, limit_pusd, period_end_ms, refused, action_kind, action_trigger, undone) " +
        "VALUES ($ts, $kind, $scope, $scope_id, $window, $threshold, $spent, $limit, $period_end, $refused, $action, $trigger, $undone)";

    internal const string SelectEventsSql =
        "SELECT timestamp_ms, kind, scope, scope_id, budget_window, threshold, spent_pusd, limit_pusd, period_end_ms, refused, action_kind, action_trigger, undone FROM budget_events";

    /// <summary>The same columns from a version-3 ledger (no tenant).</summary>
    private const string SelectColumnsVersion3 = CommonColumns + "anomalies, cache_write_tokens, reasoning_tokens, cache_ttl_ms, cache_ttl_reason, escalations, NULL, NULL";

    /// <summary>The same columns from a version-2 ledger (the version-3 columns read as their defaults).</summary>
    private const string SelectColumnsVersion2 = CommonColumns + "anomalies, 0, 0, NULL, NULL, 0, NULL, NULL";

    /// <summary>The same columns from a version-1 ledger (no <c>anomalies</c> column: every record reads as <see cref="UsageAnomalies.None"/>).</summary>
    private const string SelectColumnsVersion1 = CommonColumns + "0, 0, 0, NULL, NULL, 0, NULL, NULL";

    /// <summary>The columns to select from a ledger of schema <paramref name="version"/>.</summary>
    internal static string SelectColumnsFor(long version) => version switch { >= 4 => SelectColumns, 3 => SelectColumnsVersion3, 2 => SelectColumnsVersion2, _ => SelectColumnsVersion1 };

    private const string CreateSql = """
        CREATE TABLE usage_records (
            id INTEGER PRIMARY KEY,
            timestamp_ms INTEGER NOT NULL,
            prompt_id TEXT,
            prompt_version TEXT,
            task TEXT,
            endpoint TEXT,
            user_id TEXT,
            model TEXT,
            tier TEXT,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            cost_pusd INTEGER,
            cost_saved_pusd INTEGER,
            cache_layer INTEGER NOT NULL,
            latency_us INTEGER NOT NULL,
            outcome INTEGER NOT NULL,
            error_type TEXT,
            limit_name TEXT,
            streaming INTEGER NOT NULL,
            priced INTEGER NOT NULL,
            anomalies INTEGER NOT NULL DEFAULT 0,
            cache_write_tokens INTEGER NOT NULL DEFAULT 0,
            reasoning_tokens INTEGER NOT NULL DEFAULT 0,
            cache_ttl_ms INTEGER,
            cache_ttl_reason TEXT,
            escalations INTEGER NOT NULL DEFAULT 0,
            tenant_id TEXT,
            conversation_id TEXT
        );
        CREATE INDEX ix_usage_records_timestamp ON usage_records (timestamp_ms);
        """ + CreateEventsSql + CreateBatchesSql + CreateViewSql;

    /// <summary>The provider batches of deferrable calls and their items (version 5).</summary>
    internal const string CreateBatchesSql = """
        CREATE TABLE IF NOT EXISTS provider_batches (
            id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            provider_batch_id TEXT,
            status TEXT NOT NULL,
            ended INTEGER NOT NULL,
            item_count INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            ended_ms INTEGER
        );
        CREATE TABLE IF NOT EXISTS provider_batch_items (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            model TEXT NOT NULL,
            request_json TEXT NOT NULL,
            item_key TEXT,
            prompt_id TEXT,
            prompt_version TEXT,
            task TEXT,
            user_id TEXT,
            tenant_id TEXT,
            endpoint TEXT,
            state INTEGER NOT NULL,
            batch_id TEXT,
            attempts INTEGER NOT NULL,
            result_json TEXT,
            error TEXT,
            failure TEXT,
            created_ms INTEGER NOT NULL,
            completed_ms INTEGER,
            delivered_ms INTEGER,
            delivered_to TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_provider_batch_items_state ON provider_batch_items (state, batch_id);

        """;

    /// <summary>The budget's alerts and actions (version 4).</summary>
    private const string CreateEventsSql = """
        CREATE TABLE IF NOT EXISTS budget_events (
            id INTEGER PRIMARY KEY,
            timestamp_ms INTEGER NOT NULL,
            kind TEXT NOT NULL,
            scope TEXT NOT NULL,
            scope_id TEXT,
            budget_window TEXT NOT NULL,
            threshold INTEGER NOT NULL,
            spent_pusd INTEGER,
            limit_pusd INTEGER,
            period_end_ms INTEGER NOT NULL,
            refused INTEGER NOT NULL,
            action_kind TEXT,
            action_trigger TEXT,
            undone INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_budget_events_timestamp ON budget_events (timestamp_ms);

        """;

    /// <summary>Version 3 → 4: the tenant column (NULL for every earlier record) and the budget events table.</summary>
    private const string MigrateToVersion4Sql = "ALTER TABLE usage_records ADD COLUMN tenant_id TEXT; ALTER TABLE usage_records ADD COLUMN conversation_id TEXT;" + CreateEventsSql;

    /// <summary>Version 1 → 2: the <c>anomalies</c> column (0 for every earlier record).</summary>
    private const string MigrateToVersion2Sql = "ALTER TABLE usage_records ADD COLUMN anomalies INTEGER NOT NULL DEFAULT 0;";

    /// <summary>Version 2 → 3: the provider-cache, reasoning, cache-TTL and escalation columns (defaults for every earlier record).</summary>
    private const string MigrateToVersion3Sql = """
        ALTER TABLE usage_records ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_records ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE usage_records ADD COLUMN cache_ttl_ms INTEGER;
        ALTER TABLE usage_records ADD COLUMN cache_ttl_reason TEXT;
        ALTER TABLE usage_records ADD COLUMN escalations INTEGER NOT NULL DEFAULT 0;
        """;

    private const string CreateViewSql = """
        CREATE VIEW usage AS SELECT
            id,
            strftime('%Y-%m-%dT%H:%M:%fZ', timestamp_ms / 1000.0, 'unixepoch') AS time,
            prompt_id, prompt_version, task, endpoint, user_id, model, tier,
            input_tokens, cached_input_tokens, output_tokens,
            cost_pusd / 1e12 AS cost_usd,
            cost_saved_pusd / 1e12 AS cost_saved_usd,
            CASE cache_layer WHEN 0 THEN 'none' WHEN 1 THEN 'memory' WHEN 2 THEN 'distributed' WHEN 3 THEN 'in_flight' WHEN 4 THEN 'semantic' ELSE cache_layer END AS cache_layer,
            latency_us / 1000.0 AS latency_ms,
            CASE outcome WHEN 0 THEN 'success' WHEN 1 THEN 'failed' WHEN 2 THEN 'cancelled' WHEN 3 THEN 'refused' ELSE outcome END AS outcome,
            error_type, limit_name, streaming, priced,
            trim(CASE WHEN anomalies & 1 THEN 'tokens_clamped' ELSE '' END || CASE WHEN anomalies & 2 THEN ' estimated' ELSE '' END || CASE WHEN anomalies & 4 THEN ' truncated' ELSE '' END || CASE WHEN anomalies & 8 THEN ' reply_invalid' ELSE '' END || CASE WHEN anomalies & 16 THEN ' retried_longer' ELSE '' END) AS anomalies,
            cache_write_tokens, reasoning_tokens,
            cache_ttl_ms / 1000.0 AS cache_ttl_s, cache_ttl_reason, escalations, tenant_id, conversation_id
        FROM usage_records;
        """;

    /// <summary>
    /// Opens <paramref name="path"/> for writing: creates the file, its folder and the schema when missing, turns on WAL
    /// (<c>synchronous=NORMAL</c>: a process crash loses nothing committed; a power cut may lose the last batches).
    /// Throws <see cref="InvalidDataException"/> for a file that is not a PromptOps ledger or has a newer schema.
    /// </summary>
    internal static SqliteConnection OpenForWriting(string path)
    {
        var full = Path.GetFullPath(path);
        if (Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            using var tx = connection.BeginTransaction();
            var version = CheckFile(connection, full);
            if (version == 0)
            {
                Execute(connection, CreateSql, tx);
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {Version};"), tx);
            }
            else
            {
                if (version < 2) Execute(connection, MigrateToVersion2Sql, tx);
                if (version < 3) Execute(connection, MigrateToVersion3Sql, tx);
                if (version < 4) Execute(connection, MigrateToVersion4Sql, tx);
                if (version < 5) Execute(connection, CreateBatchesSql, tx);
                // The view is recreated on every open for writing (no data change): a ledger written before a flag or a
                // column existed gets the view that names it.
                Execute(connection, "DROP VIEW IF EXISTS usage;" + CreateViewSql, tx);
                if (version < Version) Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {Version};"), tx);
            }

            tx.Commit();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing ledger read-only and checks its schema.</summary>
    internal static SqliteConnection OpenForReading(string path) => OpenForReading(path, out _);

    /// <summary>Opens an existing ledger read-only, checks its schema and returns its version (older versions are read as they are).</summary>
    internal static SqliteConnection OpenForReading(string path, out long version)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The ledger file '{full}' does not exist.", full);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            version = CheckFile(connection, full);
            if (version == 0) throw new InvalidDataException($"'{full}' is an empty SQLite database, not a PromptOps ledger.");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Returns the schema version (0 for an empty database) or throws for a foreign or newer file.</summary>
    private static long CheckFile(SqliteConnection connection, string path)
    {
        var appId = Scalar(connection, "PRAGMA application_id");
        var version = Scalar(connection, "PRAGMA user_version");
        var tables = Scalar(connection, "SELECT count(*) FROM sqlite_master");
        if (appId == 0 && version == 0 && tables == 0) return 0;
        if (appId != ApplicationId) throw new InvalidDataException($"'{path}' is a SQLite database but not a PromptOps ledger (application_id {appId}, expected {ApplicationId}).");
        if (version > Version) throw new InvalidDataException($"The ledger '{path}' has schema version {version}; this PromptOps reads version {Version} and older. Update PromptOps.");
        if (version < 1) throw new InvalidDataException($"The ledger '{path}' has no schema version (user_version {version}).");
        return version;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>USD → picodollars; null when unpriced or beyond ±9.2 million USD (what a 64-bit integer holds).</summary>
    internal static long? ToPico(decimal? usd)
    {
        if (usd is not { } v) return null;
        var pico = decimal.Round(v * PicoPerUsd, MidpointRounding.AwayFromZero);
        return pico is >= long.MinValue and <= long.MaxValue ? (long)pico : null;
    }

    internal static decimal FromPico(long pico) => pico / PicoPerUsd;
}
