using PromptOps.Routing.Batching;

namespace PromptOps.Batching.Tests.Infrastructure;

/// <summary>A batch store that passes every call to <paramref name="inner"/>; a test store overrides the calls it gates or fails.</summary>
internal abstract class DelegatingBatchStore(IProviderBatchStore inner) : IProviderBatchStore, IDisposable
{
    protected IProviderBatchStore Inner { get; } = inner;

    public void Dispose() => (Inner as IDisposable)?.Dispose();

    public virtual ValueTask AddItemAsync(ProviderBatchItem item, CancellationToken cancellationToken) => Inner.AddItemAsync(item, cancellationToken);

    public virtual ValueTask AddBatchAsync(ProviderBatchRecord batch, IReadOnlyList<string> itemIds, CancellationToken cancellationToken) =>
        Inner.AddBatchAsync(batch, itemIds, cancellationToken);

    public virtual ValueTask UpdateBatchAsync(ProviderBatchRecord batch, CancellationToken cancellationToken) => Inner.UpdateBatchAsync(batch, cancellationToken);

    public virtual ValueTask CompleteItemsAsync(string batchId, IReadOnlyList<ProviderBatchItemOutcome> outcomes, IReadOnlyList<(string ItemId, string Error)> retry,
        DateTimeOffset at, CancellationToken cancellationToken) => Inner.CompleteItemsAsync(batchId, outcomes, retry, at, cancellationToken);

    public virtual ValueTask<bool> MarkDeliveredAsync(string itemId, string deliveredTo, DateTimeOffset at, CancellationToken cancellationToken) =>
        Inner.MarkDeliveredAsync(itemId, deliveredTo, at, cancellationToken);

    public virtual ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken) => Inner.GetOpenBatchesAsync(cancellationToken);

    public virtual ValueTask<IReadOnlyList<ProviderBatchItem>> GetItemsAsync(ProviderBatchItemState state, string? batchId, CancellationToken cancellationToken) =>
        Inner.GetItemsAsync(state, batchId, cancellationToken);
}
