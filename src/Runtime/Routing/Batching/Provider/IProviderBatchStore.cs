using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>
/// Keeps deferred items and the batches they were submitted in, so that submitted work survives a restart of the process
/// (<see cref="ProviderBatchScheduler.ResumeAsync"/>). <see cref="InMemoryProviderBatchStore"/> keeps them for the life of
/// the process; PromptOps.Sqlite's store keeps them in the ledger database. Every change of state is conditional on the
/// state before it, so a step repeated after a crash changes nothing twice.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public interface IProviderBatchStore
{
    /// <summary>Stores a new item (<see cref="ProviderBatchItemState.Queued"/>).</summary>
    ValueTask AddItemAsync(ProviderBatchItem item, CancellationToken cancellationToken);

    /// <summary>Stores a new batch and moves its queued items into it (state Submitted, attempts + 1).</summary>
    ValueTask AddBatchAsync(ProviderBatchRecord batch, IReadOnlyList<string> itemIds, CancellationToken cancellationToken);

    /// <summary>Updates a batch's provider id, status and end.</summary>
    ValueTask UpdateBatchAsync(ProviderBatchRecord batch, CancellationToken cancellationToken);

    /// <summary>
    /// For the items of <paramref name="batchId"/> still Submitted in it: stores the final outcomes (state Completed) and
    /// queues the items of <paramref name="retry"/> again (state Queued, no batch, the error kept); one transaction.
    /// </summary>
    ValueTask CompleteItemsAsync(string batchId, IReadOnlyList<ProviderBatchItemOutcome> outcomes, IReadOnlyList<(string ItemId, string Error)> retry,
        DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks a Completed item Delivered; false when it is not Completed (already delivered, or unknown).</summary>
    ValueTask<bool> MarkDeliveredAsync(string itemId, string deliveredTo, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The batches not yet ended.</summary>
    ValueTask<IReadOnlyList<ProviderBatchRecord>> GetOpenBatchesAsync(CancellationToken cancellationToken);

    /// <summary>The items in <paramref name="state"/> (of batch <paramref name="batchId"/> when it is not null), oldest first.</summary>
    ValueTask<IReadOnlyList<ProviderBatchItem>> GetItemsAsync(ProviderBatchItemState state, string? batchId, CancellationToken cancellationToken);
}
