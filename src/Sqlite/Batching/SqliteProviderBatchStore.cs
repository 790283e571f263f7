using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Routing.Batching.Sqlite;

/// <summary>
/// Keeps deferred items and provider batches in the SQLite ledger database (tables <c>provider_batches</c> and
/// <c>provider_batch_items</c>, schema version 5; an older ledger is migrated when opened), so submitted batches survive a
/// restart: <see cref="ProviderBatchScheduler.ResumeAsync"/> reads them back. Every change of an item's state is one
/// conditional <c>UPDATE</c> (… <c>WHERE state = …</c>), so a step repeated after a crash, or by a second process, changes
/// nothing twice; <see cref="MarkDeliveredAsync"/> succeeds once per item. One connection, used by one operation at a time.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class SqliteProviderBatchStore : IProviderBatchStore, IDisposable
{
    private const string ItemColumns =
        "id, provider, model, request_json, item_key, prompt_id, prompt_version, task, user_id, tenant_id, endpoint, state, batch_id, attempts, result_json, error, failure, " +
        "created_ms, completed_ms, delivered_ms, delivered_to";

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _disposed;

    /// <summary>Opens (creating or migrating) the ledger database at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="InvalidDataException">The file is not a PromptOps ledger, or has a newer schema.</exception>
    public SqliteProviderBatchStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _connection = SqliteLedgerSchema.OpenForWriting(Path);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public ValueTask AddItemAsync(ProviderBatchItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Run(() =>
        {
            using var c = Command("INSERT INTO provider_batch_items (" + ItemColumns + ") VALUES ($id, $provider, $model, $request, $key, $prompt_id, $prompt_version, $task, " +
                "$user_id, $tenant_id, $endpoint, 0, NULL, $attempts, NULL, $error, NULL, $created, NULL, NULL, NULL)");
            Add(c, "$id", item.Id);
            Add(c, "$provider", item.Provider.ToString());
            Add(c, "$model", item.Model);
            Add(c, "$request", item.RequestJson);
            Add(c, "$key", item.Key);
            Add(c, "$prompt_id", item.PromptId);
            Add(c, "$prompt_version", item.PromptVersion);
            Add(c, "$task", item.Task);
            Add(c, "$user_id", item.UserId);
            Add(c, "$tenant_id", item.TenantId);
            Add(c, "$endpoint", item.Endpoint);
            Add(c, "$attempts", item.Attempts);
            Add(c, "$error", item.Error);
            Add(c, "$created", item.CreatedAt.ToUnixTimeMilliseconds());
            c.ExecuteNonQuery();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask AddBatchAsync(ProviderBatchRecord batch, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(itemIds);
        return Run(() =>
        {
            using var tx = _connection.BeginTransaction();
            using (var c = Command("INSERT INTO provider_batches (id, provider, provider_batch_id, status, ended, item_count, created_ms, ended_ms) " +
                       "VALUES ($id, $provider, $pid, $status, $ended, $count, $created, $ended_ms)", tx))
            {
                AddBatchParameters(c, batch);
                c.ExecuteNonQuery();
            }

            using (var c = Command("UPDATE provider_batch_items SET state = 1, batch_id = $batch, attempts = attempts + 1 WHERE id = $id AND state = 0", tx))
            {
                Add(c, "$batch", batch.Id);
                var id = c.Parameters.Add("$id", SqliteType.Text);
                foreach (var itemId in itemIds)
                {
                    id.Value = itemId;
                    c.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask UpdateBatchAsync(ProviderBatchRecord batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Run(() =>
        {
            using var c = Command("UPDATE provider_batches SET provider = $provider, provider_batch_id = $pid, status = $status, ended = $ended, item_count = $count, " +
                "created_ms = $created, ended_ms = $ended_ms WHERE id = $id");
            AddBatchParameters(c, batch);
            if (c.ExecuteNonQuery() == 0) throw new InvalidOperationException($"The batch '{batch.Id}' is not stored.");
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask CompleteItemsAsync(string batchId, IReadOnlyList<ProviderBatchItemOutcome> outcomes, IReadOnlyList<(string ItemId, string Error)> retry,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(retry);
        return Run(() =>
        {
            using var tx = _connection.BeginTransaction();
            using (var c = Command("UPDATE provider_batch_items SET state = 2, result_json = $result, error = coalesce($error, error), failure = $failure, completed_ms = $at " +
                       "WHERE id = $id AND state = 1 AND batch_id = $batch", tx))
            {
                Add(c, "$batch", batchId);
                Add(c, "$at", at.ToUnixTimeMilliseconds());
                var id = c.Parameters.Add("$id", SqliteType.Text);
                var result = c.Parameters.Add("$result", SqliteType.Text);
                var error = c.Parameters.Add("$error", SqliteType.Text);
                var failure = c.Parameters.Add("$failure", SqliteType.Text);
                foreach (var o in outcomes)
                {
                    id.Value = o.ItemId;
                    result.Value = (object?)o.ResultJson ?? DBNull.Value;
                    error.Value = (object?)o.Error ?? DBNull.Value;
                    failure.Value = (object?)o.Failure?.ToString() ?? DBNull.Value;
                    c.ExecuteNonQuery();
                }
            }

            using (var c = Command("UPDATE provider_batch_items SET state = 0, batch_id = NULL, error = $error WHERE id = $id AND state = 1 AND batch_id = $batch", tx))
            {
                Add(c, "$batch", batchId);
                var id = c.Parameters.Add("$id", SqliteType.Text);
                var error = c.Parameters.Add("$error", SqliteType.Text);
                foreach (var (itemId, message) in retry)
                {
                    id.Value = itemId;
                    error.Value = message;
                    c.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<bool> MarkDeliveredAsync(string itemId, string deliveredTo, DateTimeOffset at, CancellationToken cancellationToken) =>
        Run(() =>
        {
            using var c = Command("UPDATE provider_batch_items SET state = 3, delivered_ms = $at, delivered_to = $to WHERE id = $id AND state = 2");
            Add(c, "$id", itemId);
            Add(c, "$to", deliveredTo);
            Add(c, "$at", at.ToUnixTimeMilliseconds());
            return c.ExecuteNonQuery() == 1;
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ProviderBatchRecord>>(() =>
        {
            using var c = Command("SELECT id, provider, provider_batch_id, status, ended, item_count, created_ms, ended_ms FROM provider_batches WHERE ended = 0 ORDER BY created_ms, id");
            using var r = c.ExecuteReader();
            var list = new List<ProviderBatchRecord>();
            while (r.Read())
            {
                list.Add(new ProviderBatchRecord
                {
                    Id = r.GetString(0),
                    Provider = Enum.Parse<BatchProviderKind>(r.GetString(1)),
                    ProviderBatchId = r.IsDBNull(2) ? null : r.GetString(2),
                    Status = r.GetString(3),
                    Ended = r.GetInt64(4) != 0,
                    ItemCount = r.GetInt32(5),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6)),
                    EndedAt = r.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
                });
            }

            return list;
        }, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ProviderBatchItem>> GetItemsAsync(ProviderBatchItemState state, string? batchId, CancellationToken cancellationToken) =>
        Run<IReadOnlyList<ProviderBatchItem>>(() =>
        {
            using var c = Command("SELECT " + ItemColumns + " FROM provider_batch_items WHERE state = $state" + (batchId is null ? "" : " AND batch_id = $batch") + " ORDER BY seq");
            Add(c, "$state", (int)state);
            if (batchId is not null) Add(c, "$batch", batchId);
            using var r = c.ExecuteReader();
            var list = new List<ProviderBatchItem>();
            while (r.Read())
            {
                list.Add(new ProviderBatchItem
                {
                    Id = r.GetString(0),
                    Provider = Enum.Parse<BatchProviderKind>(r.GetString(1)),
                    Model = r.GetString(2),
                    RequestJson = r.GetString(3),
                    Key = Text(r, 4),
                    PromptId = Text(r, 5),
                    PromptVersion = Text(r, 6),
                    Task = Text(r, 7),
                    UserId = Text(r, 8),
                    TenantId = Text(r, 9),
                    Endpoint = Text(r, 10),
                    State = (ProviderBatchItemState)r.GetInt32(11),
                    BatchId = Text(r, 12),
                    Attempts = r.GetInt32(13),
                    ResultJson = Text(r, 14),
                    Error = Text(r, 15),
                    Failure = Text(r, 16) is { } f ? Enum.Parse<ProviderBatchFailureKind>(f) : null,
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(17)),
                    CompletedAt = Time(r, 18),
                    DeliveredAt = Time(r, 19),
                    DeliveredTo = Text(r, 20),
                });
            }

            return list;
        }, cancellationToken);

    /// <summary>Closes the database.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask Run(Action work, CancellationToken cancellationToken) => await Run(() =>
    {
        work();
        return true;
    }, cancellationToken).ConfigureAwait(false);

    private async ValueTask<T> Run<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var c = _connection.CreateCommand();
        c.CommandText = sql;
        c.Transaction = tx;
        return c;
    }

    private static void Add(SqliteCommand c, string name, object? value) => c.Parameters.AddWithValue(name, value ?? DBNull.Value);

    private static void AddBatchParameters(SqliteCommand c, ProviderBatchRecord batch)
    {
        Add(c, "$id", batch.Id);
        Add(c, "$provider", batch.Provider.ToString());
        Add(c, "$pid", batch.ProviderBatchId);
        Add(c, "$status", batch.Status);
        Add(c, "$ended", batch.Ended ? 1 : 0);
        Add(c, "$count", batch.ItemCount);
        Add(c, "$created", batch.CreatedAt.ToUnixTimeMilliseconds());
        Add(c, "$ended_ms", batch.EndedAt?.ToUnixTimeMilliseconds());
    }

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));
}
