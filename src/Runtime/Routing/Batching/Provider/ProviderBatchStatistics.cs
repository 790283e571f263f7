using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>What a <see cref="ProviderBatchScheduler"/> did since it was created.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ProviderBatchStatistics
{
    /// <summary>Deferrable calls accepted (stored and queued).</summary>
    public long ItemsQueued { get; init; }

    /// <summary>Batches the provider accepted.</summary>
    public long BatchesSubmitted { get; init; }

    /// <summary>Batches whose results were read (or that failed as a whole).</summary>
    public long BatchesEnded { get; init; }

    /// <summary>Items queued again after an expiry, a retryable error or a missing result.</summary>
    public long ItemsRetried { get; init; }

    /// <summary>Results handed to the task of the caller that asked.</summary>
    public long DeliveredToCallers { get; init; }

    /// <summary>Results handed to the <see cref="IProviderBatchResultHandler"/>.</summary>
    public long DeliveredToHandler { get; init; }

    /// <summary>Delivered items that had no answer (rejected, or expired / cancelled / failed on every attempt).</summary>
    public long ItemsFailed { get; init; }

    /// <summary>Results kept undelivered because no caller waited and no handler is registered (offered again on the next resume).</summary>
    public long Undelivered { get; init; }
}
