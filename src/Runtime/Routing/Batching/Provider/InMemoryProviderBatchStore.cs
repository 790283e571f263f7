using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>
/// Keeps deferred items and batches in memory, for the life of the process: what a restart loses is the work of the
/// process that stopped (use PromptOps.Sqlite's store to survive it). Thread-safe.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class InMemoryProviderBatchStore : IProviderBatchStore
{
    private readonly object _lock = new();
    private readonly Dictionary<string, ProviderBatchItem> _items = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderBatchRecord> _batches = new(StringComparer.Ordinal);
    private long _order;
    private readonly Dictionary<string, long> _orderOf = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask AddItemAsync(ProviderBatchItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        lock (_lock)
        {
            if (!_items.TryAdd(item.Id, item with { State = ProviderBatchItemState.Queued })) throw new InvalidOperationException($"The item '{item.Id}' is already stored.");
            _orderOf[item.Id] = _order++;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask AddBatchAsync(ProviderBatchRecord batch, IReadOnlyList<string> itemIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(itemIds);
        lock (_lock)
        {
            if (!_batches.TryAdd(batch.Id, batch)) throw new InvalidOperationException($"The batch '{batch.Id}' is already stored.");
            foreach (var id in itemIds)
            {
                if (_items.TryGetValue(id, out var item) && item.State == ProviderBatchItemState.Queued)
                    _items[id] = item with { State = ProviderBatchItemState.Submitted, BatchId = batch.Id, Attempts = item.Attempts + 1 };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UpdateBatchAsync(ProviderBatchRecord batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_lock)
        {
            if (!_batches.ContainsKey(batch.Id)) throw new InvalidOperationException($"The batch '{batch.Id}' is not stored.");
            _batches[batch.Id] = batch;
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask CompleteItemsAsync(string batchId, IReadOnlyList<ProviderBatchItemOutcome> outcomes, IReadOnlyList<(string ItemId, string Error)> retry,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(retry);
        lock (_lock)
        {
            foreach (var o in outcomes)
            {
                if (InBatch(o.ItemId, batchId) is { } item)
                {
                    _items[o.ItemId] = item with
                    {
                        State = ProviderBatchItemState.Completed, ResultJson = o.ResultJson, Error = o.Error ?? item.Error, Failure = o.Failure, CompletedAt = at,
                    };
                }
            }

            foreach (var (id, error) in retry)
            {
                if (InBatch(id, batchId) is { } item) _items[id] = item with { State = ProviderBatchItemState.Queued, BatchId = null, Error = error };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> MarkDeliveredAsync(string itemId, string deliveredTo, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_items.TryGetValue(itemId, out var item) || item.State != ProviderBatchItemState.Completed) return ValueTask.FromResult(false);
            _items[itemId] = item with { State = ProviderBatchItemState.Delivered, DeliveredAt = at, DeliveredTo = deliveredTo };
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return ValueTask.FromResult<IReadOnlyList<ProviderBatchRecord>>([.. _batches.Values.Where(b => !b.Ended).OrderBy(b => b.CreatedAt)]);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ProviderBatchItem>> GetItemsAsync(ProviderBatchItemState state, string? batchId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<ProviderBatchItem>>(
                [.. _items.Values.Where(i => i.State == state && (batchId is null || i.BatchId == batchId)).OrderBy(i => _orderOf[i.Id])]);
        }
    }

    private ProviderBatchItem? InBatch(string id, string batchId) =>
        _items.TryGetValue(id, out var item) && item.State == ProviderBatchItemState.Submitted && item.BatchId == batchId ? item : null;
}
