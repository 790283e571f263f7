using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>Where a deferred item is in its life (stored in <see cref="IProviderBatchStore"/>).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum ProviderBatchItemState
{
    /// <summary>Accepted and waiting for the next batch (a new item, or one to retry).</summary>
    Queued = 0,

    /// <summary>Part of a batch submitted (or being submitted) to the provider.</summary>
    Submitted = 1,

    /// <summary>The provider's answer (or final error) is stored; not yet delivered.</summary>
    Completed = 2,

    /// <summary>Delivered to the awaiting caller or to the results handler. Final.</summary>
    Delivered = 3,
}
