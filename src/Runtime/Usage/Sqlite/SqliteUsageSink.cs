using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Usage.Sqlite;

/// <summary>
/// The embedded persistent ledger: writes every <see cref="UsageRecord"/> to a SQLite file (schema:
/// <see cref="SqliteLedgerSchema"/>), off the request path. <see cref="Record"/> only queues the record in a bounded
/// channel; one background writer takes what is queued (up to <see cref="LedgerOptions.BatchSize"/>) and inserts it in one
/// transaction with a prepared statement. <see cref="FlushAsync"/> waits for everything queued so far;
/// <see cref="DisposeAsync"/> (and <see cref="Dispose"/>) stop taking records, write everything queued, and close the
/// file — nothing is lost on a graceful shutdown.
/// <para>When the queue is full, <see cref="LedgerOptions.OverflowPolicy"/> decides: drop the new record (default), drop
/// the oldest queued one, or make the caller wait. Every dropped record is counted (<see cref="Dropped"/>, the metric
/// <c>promptops.ledger.dropped</c>) and logged as a warning (at most one line per 10 seconds, with the count). A batch
/// the database refuses (disk full, file locked longer than the 30 s busy timeout) is logged as an error and counted as
/// dropped with reason <c>write_failed</c>; the writer goes on with the next batch.</para>
/// </summary>
public sealed class SqliteUsageSink : IUsageSink, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    private readonly Channel<UsageRecord> _channel;
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
    /// <exception cref="InvalidDataException">The file is not a PromptOps ledger or has a newer schema.</exception>
    public SqliteUsageSink(LedgerOptions options, PromptOpsMetrics? metrics = null, TimeProvider? timeProvider = null, ILogger<SqliteUsageSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(options));
        if (!options.IsSqliteEnabled) throw new ArgumentException("PromptOps:Ledger:SqlitePath is not set.", nameof(options));

        Path = System.IO.Path.GetFullPath(options.SqlitePath!);
        _policy = options.OverflowPolicy;
        _batchSize = options.BatchSize;
        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _connection = SqliteLedgerSchema.OpenForWriting(Path);

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
    }

    /// <summary>Stops taking records, writes everything queued (blocking), and closes the file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _channel.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        _connection.Dispose();
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

        var since = Interlocked.Add(ref _droppedSinceLog, count);
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < DropLogInterval) return;
        if (Interlocked.CompareExchange(ref _lastDropLog, now, last) != last) return;
        Interlocked.Add(ref _droppedSinceLog, -since);
        LedgerLog.RecordsDropped(_logger, since, Path, reason, _policy);
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The prepared INSERT and its parameters, reused for every row.</summary>
    private sealed class Inserter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _ts, _promptId, _promptVersion, _task, _endpoint, _userId, _model, _tier, _input, _cached, _output,
            _cost, _saved, _layer, _latency, _outcome, _errorType, _limitName, _streaming, _priced;

        public Inserter(SqliteConnection connection)
        {
            _connection = connection;
            _command = connection.CreateCommand();
            _command.CommandText = SqliteLedgerSchema.InsertSql;
            _ts = Add("$ts", SqliteType.Integer);
            _promptId = Add("$prompt_id", SqliteType.Text);
            _promptVersion = Add("$prompt_version", SqliteType.Text);
            _task = Add("$task", SqliteType.Text);
            _endpoint = Add("$endpoint", SqliteType.Text);
            _userId = Add("$user_id", SqliteType.Text);
            _model = Add("$model", SqliteType.Text);
            _tier = Add("$tier", SqliteType.Text);
            _input = Add("$input", SqliteType.Integer);
            _cached = Add("$cached", SqliteType.Integer);
            _output = Add("$output", SqliteType.Integer);
            _cost = Add("$cost", SqliteType.Integer);
            _saved = Add("$saved", SqliteType.Integer);
            _layer = Add("$layer", SqliteType.Integer);
            _latency = Add("$latency", SqliteType.Integer);
            _outcome = Add("$outcome", SqliteType.Integer);
            _errorType = Add("$error_type", SqliteType.Text);
            _limitName = Add("$limit_name", SqliteType.Text);
            _streaming = Add("$streaming", SqliteType.Integer);
            _priced = Add("$priced", SqliteType.Integer);
        }

        public void Write(List<UsageRecord> batch)
        {
            using var tx = _connection.BeginTransaction();
            _command.Transaction = tx;
            foreach (var r in batch)
            {
                _ts.Value = r.Timestamp.ToUnixTimeMilliseconds();
                _promptId.Value = (object?)r.PromptId ?? DBNull.Value;
                _promptVersion.Value = (object?)r.PromptVersion ?? DBNull.Value;
                _task.Value = (object?)r.Task ?? DBNull.Value;
                _endpoint.Value = (object?)r.Endpoint ?? DBNull.Value;
                _userId.Value = (object?)r.UserId ?? DBNull.Value;
                _model.Value = (object?)r.ModelId ?? DBNull.Value;
                _tier.Value = (object?)r.Tier ?? DBNull.Value;
                _input.Value = r.InputTokens;
                _cached.Value = r.CachedInputTokens;
                _output.Value = r.OutputTokens;
                _cost.Value = (object?)SqliteLedgerSchema.ToPico(r.CostUsd) ?? DBNull.Value;
                _saved.Value = (object?)SqliteLedgerSchema.ToPico(r.CostSavedUsd) ?? DBNull.Value;
                _layer.Value = (int)r.CacheLayer;
                _latency.Value = r.Latency.Ticks / TimeSpan.TicksPerMicrosecond;
                _outcome.Value = (int)r.Outcome;
                _errorType.Value = (object?)r.ErrorType ?? DBNull.Value;
                _limitName.Value = (object?)r.LimitName ?? DBNull.Value;
                _streaming.Value = r.Streaming ? 1 : 0;
                _priced.Value = r.IsPriced ? 1 : 0;
                _command.ExecuteNonQuery();
            }

            tx.Commit();
            _command.Transaction = null;
        }

        public void Dispose() => _command.Dispose();

        private SqliteParameter Add(string name, SqliteType type)
        {
            var p = _command.CreateParameter();
            p.ParameterName = name;
            p.SqliteType = type;
            _command.Parameters.Add(p);
            return p;
        }
    }
}

internal static partial class LedgerLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "PromptOps ledger: {Count} usage records were not stored in {Path} ({Reason}; overflow policy {Policy}). Raise PromptOps:Ledger:QueueCapacity or use the Wait policy if every record must be kept.")]
    public static partial void RecordsDropped(ILogger logger, long count, string path, string reason, LedgerOverflowPolicy policy);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "PromptOps ledger: a batch of {Count} usage records could not be written to {Path}; they are lost.")]
    public static partial void BatchFailed(ILogger logger, int count, string path, Exception exception);
}
