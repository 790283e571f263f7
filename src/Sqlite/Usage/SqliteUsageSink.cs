using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;

namespace PromptOps.Usage.Sqlite;

/// <summary>
/// The embedded persistent ledger: writes every <see cref="UsageRecord"/> to a SQLite file (schema:
/// <see cref="SqliteLedgerSchema"/>), off the request path. <see cref="Record"/> only queues the record in a bounded
/// channel; one background writer takes what is queued (up to <see cref="LedgerOptions.BatchSize"/>) and inserts it in one
/// transaction with one prepared statement (bound through SQLitePCLRaw, no per-row ADO.NET objects). <see cref="FlushAsync"/> waits for everything queued so far;
/// <see cref="DisposeAsync"/> (and <see cref="Dispose"/>) stop taking records, write everything queued, and close the
/// file — nothing is lost on a graceful shutdown.
/// <para>When the queue is full, <see cref="LedgerOptions.OverflowPolicy"/> decides: drop the new record (default), drop
/// the oldest queued one, or make the caller wait (also <see cref="LedgerOptions.BlockWhenFull"/>). Every dropped record
/// is counted exactly (<see cref="Dropped"/>, the metric <c>promptops.ledger.dropped</c>) and logged as a warning: at
/// most one line per 10 seconds, each with the number dropped since the previous line; disposing logs the total dropped
/// while the sink was open (and how many of them no warning had reported yet), if any. A batch
/// the database refuses (disk full, file locked longer than the 30 s busy timeout) is logged as an error and counted as
/// dropped with reason <c>write_failed</c>; the writer goes on with the next batch.</para>
/// </summary>
public sealed class SqliteUsageSink : IUsageSink, Budgets.IBudgetAlertSink, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<UsageRecord> _channel;
    private readonly SemaphoreSlim _eventGate = new(1, 1);
    private SqliteConnection? _events;
    private bool _eventsClosed;
    private readonly LedgerOverflowPolicy _policy;
    private readonly int _batchSize;
    private readonly SqliteConnection _connection;
    private readonly PromptOpsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private TaskCompletionSource _progress = NewProgress();
    private long _accepted;
    private long _completed;
    private long _written;
    private long _dropped;
    private long _droppedSinceLog;
    private long _lastDropLog = long.MinValue;
    private int _disposed;

    /// <summary>Opens (or creates) the ledger at <see cref="LedgerOptions.SqlitePath"/> and starts the background writer.</summary>
    /// <exception cref="ArgumentException">The options are invalid or name no path.</exception>
    /// <exception cref="InvalidDataException">The file is not a PromptOps ledger, is damaged or has a newer schema (the message names the option and the path).</exception>
    /// <exception cref="IOException">The file or its folder cannot be created or opened (the message names the option and the path).</exception>
    public SqliteUsageSink(LedgerOptions options, PromptOpsMetrics? metrics = null, TimeProvider? timeProvider = null, ILogger<SqliteUsageSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        if (!options.IsSqliteEnabled) throw new ArgumentException("PromptOps:Ledger:SqlitePath is not set.", nameof(options));

        Path = System.IO.Path.GetFullPath(options.SqlitePath!);
        _policy = options.EffectiveOverflowPolicy;
        _batchSize = options.BatchSize;
        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _connection = Open(Path);

        var channelOptions = new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
            FullMode = _policy == LedgerOverflowPolicy.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        };
        _channel = Channel.CreateBounded<UsageRecord>(channelOptions, _ => OnDroppedOldest());
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Opens the ledger; a failure names the option and the file (SQLite's own messages name neither).</summary>
    private static SqliteConnection Open(string path)
    {
        try
        {
            return SqliteLedgerSchema.OpenForWriting(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"PromptOps:Ledger:SqlitePath '{path}': {e.Message}", e);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"PromptOps:Ledger:SqlitePath '{path}' cannot be used as the usage ledger: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"PromptOps:Ledger:SqlitePath '{path}' cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>Creates a sink for <paramref name="path"/> with the default options.</summary>
    public SqliteUsageSink(string path)
        : this(new LedgerOptions { SqlitePath = path })
    {
    }

    /// <summary>The full path of the ledger file.</summary>
    public string Path { get; }

    /// <summary>Records written to the file so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records not stored: the queue was full, the sink was disposed, or their batch failed to write.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Records waiting for the writer.</summary>
    public int Pending => _channel.Reader.Count;

    /// <inheritdoc />
    /// <remarks>Never blocks unless <see cref="LedgerOverflowPolicy.Wait"/> is configured and the queue is full.</remarks>
    public void Record(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_channel.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _accepted);
            return;
        }

        if (_policy == LedgerOverflowPolicy.Wait && Volatile.Read(ref _disposed) == 0)
        {
            // Count it as accepted first, so a concurrent FlushAsync waits for it too.
            Interlocked.Increment(ref _accepted);
            try
            {
                _channel.Writer.WriteAsync(record).AsTask().GetAwaiter().GetResult();
                return;
            }
            catch (ChannelClosedException)
            {
                Complete(1);
            }
        }

        Drop(1, Volatile.Read(ref _disposed) == 0 ? "queue_full" : "disposed");
    }

    /// <summary>Waits until every record queued before this call is written (or dropped because its batch failed).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _accepted);
        while (true)
        {
            var progress = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _completed) >= target || _writer.IsCompleted) return;
            await progress.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops taking records, writes everything queued, and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        CloseEvents();
        LogTotal();
    }

    /// <summary>Stops taking records, writes everything queued (blocking), and closes the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _channel.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _connection.Dispose();
        CloseEvents();
        LogTotal();
    }

    /// <summary>
    /// Records a budget alert or action in the ledger's <c>budget_events</c> table (the reports show them), on a connection
    /// of its own (events are rare; the record writer keeps its batches). Never throws for a write failure: it is logged.
    /// </summary>
    public async ValueTask PublishAsync(Budgets.BudgetAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        await _eventGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_eventsClosed, this);
            _events ??= SqliteLedgerSchema.OpenForWriting(Path);
            using var command = _events.CreateCommand();
            command.CommandText = SqliteLedgerSchema.InsertEventSql;
            command.Parameters.AddWithValue("$ts", alert.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$kind", alert.Kind.ToString());
            command.Parameters.AddWithValue("$scope", alert.Scope.ToString());
            command.Parameters.AddWithValue("$scope_id", (object?)alert.ScopeId ?? DBNull.Value);
            command.Parameters.AddWithValue("$window", alert.Window.ToString());
            command.Parameters.AddWithValue("$threshold", alert.ThresholdPercent);
            command.Parameters.AddWithValue("$spent", (object?)SqliteLedgerSchema.ToPico(alert.SpentOrReservedUsd) ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", (object?)SqliteLedgerSchema.ToPico(alert.LimitUsd) ?? DBNull.Value);
            command.Parameters.AddWithValue("$period_end", alert.PeriodEnd.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$refused", alert.Refused ? 1 : 0);
#pragma warning disable PROMPTOPS001 // budget actions are experimental; the ledger stores what they did
            command.Parameters.AddWithValue("$action", (object?)alert.Action?.ToString() ?? DBNull.Value);
            command.Parameters.AddWithValue("$trigger", (object?)alert.Trigger?.ToString() ?? DBNull.Value);
#pragma warning restore PROMPTOPS001
            command.Parameters.AddWithValue("$undone", alert.Undone ? 1 : 0);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidDataException)
        {
            LedgerLog.EventFailed(_logger, Path, e);
        }
        finally
        {
            _eventGate.Release();
        }
    }

    private void CloseEvents()
    {
        _eventGate.Wait();
        try
        {
            _eventsClosed = true;
            _events?.Dispose();
            _events = null;
        }
        finally
        {
            _eventGate.Release();
        }
    }

    /// <summary>At dispose: the total dropped while the sink was open, so that no drop goes unreported (a burst shorter than the warning interval logs only its first drop).</summary>
    private void LogTotal()
    {
        var total = Interlocked.Read(ref _dropped);
        var unreported = Interlocked.Exchange(ref _droppedSinceLog, 0);
        if (total > 0) LedgerLog.DroppedInAll(_logger, total, Path, unreported, _policy);
    }

    private async Task RunAsync()
    {
        using var insert = new Inserter(_connection);
        var batch = new List<UsageRecord>(Math.Min(_batchSize, 4096));
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _batchSize && _channel.Reader.TryRead(out var record)) batch.Add(record);
            if (batch.Count == 0) continue;
            try
            {
                insert.Write(batch);
                Interlocked.Add(ref _written, batch.Count);
                Complete(batch.Count);
            }
#pragma warning disable CA1031 // the writer must survive a failed batch and go on with the next one
            catch (Exception e)
#pragma warning restore CA1031
            {
                LedgerLog.BatchFailed(_logger, batch.Count, Path, e);
                Drop(batch.Count, "write_failed");
                Complete(batch.Count);
            }

            batch.Clear();
        }
    }

    private void OnDroppedOldest()
    {
        // The dropped record had been accepted: it is done, as far as FlushAsync is concerned.
        Drop(1, "queue_full");
        Complete(1);
    }

    private void Complete(int count)
    {
        Interlocked.Add(ref _completed, count);
        Interlocked.Exchange(ref _progress, NewProgress()).TrySetResult();
    }

    private void Drop(int count, string reason)
    {
        Interlocked.Add(ref _dropped, count);
        _metrics.LedgerDropped.Add(count, new TagList { { "promptops.ledger.reason", reason } });
        if (reason == "write_failed") return; // already logged as an error with its exception

        // Counted before the rate check, and taken whole by the thread that logs: each warning reports exactly the drops
        // since the previous one (a drop racing with the exchange is reported by the next warning or at dispose).
        Interlocked.Add(ref _droppedSinceLog, count);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < DropLogInterval) return;
        if (Interlocked.CompareExchange(ref _lastDropLog, now, last) != last) return;
        var since = Interlocked.Exchange(ref _droppedSinceLog, 0);
        if (since > 0) LedgerLog.RecordsDropped(_logger, since, Path, reason, _policy, Interlocked.Read(ref _dropped));
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The prepared INSERT, bound and stepped through SQLitePCLRaw (the native API under Microsoft.Data.Sqlite) on the
    /// sink's connection: no command, reader or parameter objects per row, and strings are encoded to UTF-8 into one
    /// reused buffer. The transaction is Microsoft.Data.Sqlite's (BEGIN IMMEDIATE with its busy retries).
    /// </summary>
    private sealed class Inserter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly sqlite3_stmt _statement;
        private byte[] _utf8 = new byte[256];

        public Inserter(SqliteConnection connection)
        {
            _connection = connection;
            Check(raw.sqlite3_prepare_v2(connection.Handle, SqliteLedgerSchema.InsertSql, out _statement));
        }

        public void Write(List<UsageRecord> batch)
        {
            using var tx = _connection.BeginTransaction();
            try
            {
                foreach (var r in batch)
                {
                    var s = _statement;
                    raw.sqlite3_bind_int64(s, 1, r.Timestamp.ToUnixTimeMilliseconds());
                    Text(2, r.PromptId);
                    Text(3, r.PromptVersion);
                    Text(4, r.Task);
                    Text(5, r.Endpoint);
                    Text(6, r.UserId);
                    Text(7, r.ModelId);
                    Text(8, r.Tier);
                    raw.sqlite3_bind_int64(s, 9, r.InputTokens);
                    raw.sqlite3_bind_int64(s, 10, r.CachedInputTokens);
                    raw.sqlite3_bind_int64(s, 11, r.OutputTokens);
                    Integer(12, SqliteLedgerSchema.ToPico(r.CostUsd));
                    Integer(13, SqliteLedgerSchema.ToPico(r.CostSavedUsd));
                    raw.sqlite3_bind_int64(s, 14, (long)r.CacheLayer);
                    raw.sqlite3_bind_int64(s, 15, r.Latency.Ticks / TimeSpan.TicksPerMicrosecond);
                    raw.sqlite3_bind_int64(s, 16, (long)r.Outcome);
                    Text(17, r.ErrorType);
                    Text(18, r.LimitName);
                    raw.sqlite3_bind_int64(s, 19, r.Streaming ? 1 : 0);
                    raw.sqlite3_bind_int64(s, 20, r.IsPriced ? 1 : 0);
                    raw.sqlite3_bind_int64(s, 21, (long)r.Anomalies);
                    raw.sqlite3_bind_int64(s, 22, r.CacheWriteInputTokens);
                    raw.sqlite3_bind_int64(s, 23, r.ReasoningTokens);
                    Integer(24, r.CacheTtl is { } ttl ? (long)ttl.TotalMilliseconds : null);
                    Text(25, r.CacheTtlReason);
                    raw.sqlite3_bind_int64(s, 26, r.Escalations);
                    Text(27, r.TenantId);
                    Text(28, r.ConversationId);
                    var rc = raw.sqlite3_step(s);
                    raw.sqlite3_reset(s);
                    if (rc != raw.SQLITE_DONE) Check(rc);
                }
            }
            finally
            {
                raw.sqlite3_clear_bindings(_statement);
            }

            tx.Commit();
        }

        public void Dispose() => _statement.Dispose();

        private void Text(int index, string? value)
        {
            if (string.IsNullOrEmpty(value)) // '' is stored as NULL: the reader cannot tell them apart cheaply
            {
                raw.sqlite3_bind_null(_statement, index);
                return;
            }

            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (max > _utf8.Length) _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
            var length = Encoding.UTF8.GetBytes(value, _utf8);
            raw.sqlite3_bind_text(_statement, index, _utf8.AsSpan(0, length)); // SQLITE_TRANSIENT: SQLite copies the bytes
        }

        private void Integer(int index, long? value)
        {
            if (value is { } v) raw.sqlite3_bind_int64(_statement, index, v);
            else raw.sqlite3_bind_null(_statement, index);
        }

        private void Check(int rc)
        {
            if (rc is raw.SQLITE_OK or raw.SQLITE_DONE) return;
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}", rc);
        }
    }
}
