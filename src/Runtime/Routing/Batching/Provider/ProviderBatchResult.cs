using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace PromptOps.Routing.Batching;

/// <summary>The result of one deferred call, as the results handler receives it.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ProviderBatchResult
{
    /// <summary>The item's id (stable across restarts: the key to deliver idempotently on).</summary>
    public required string ItemId { get; init; }

    /// <summary>The caller's key (<see cref="PromptOpsMetadata.DeferralKey"/>), or null.</summary>
    public string? Key { get; init; }

    /// <summary>The prompt id of the call, or null.</summary>
    public string? PromptId { get; init; }

    /// <summary>The answer; null when the call failed.</summary>
    public ChatResponse? Response { get; init; }

    /// <summary>Why there is no answer; null when there is one.</summary>
    public ProviderBatchFailureKind? Failure { get; init; }

    /// <summary>The provider's error, when there is no answer.</summary>
    public string? Error { get; init; }

    /// <summary>How many batches the item was submitted in.</summary>
    public int Attempts { get; init; }
}
