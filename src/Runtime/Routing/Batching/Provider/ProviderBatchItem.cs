using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>
/// One deferred call as <see cref="IProviderBatchStore"/> keeps it: the provider request, who asked (the metadata the
/// usage ledger records), and where it is (<see cref="State"/>) — enough to submit, poll, retry and deliver it from a
/// process other than the one that asked.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ProviderBatchItem
{
    /// <summary>The item's id, also its <c>custom_id</c> in the provider's batch (32 hex digits).</summary>
    public required string Id { get; init; }

    /// <summary>The provider whose request format <see cref="RequestJson"/> is in.</summary>
    public required BatchProviderKind Provider { get; init; }

    /// <summary>The model the request names.</summary>
    public required string Model { get; init; }

    /// <summary>The provider request body (OpenAI: a chat completions body; Anthropic: the Messages <c>params</c>).</summary>
    public required string RequestJson { get; init; }

    /// <summary>The caller's key (<see cref="PromptOpsMetadata.DeferralKey"/>), or null.</summary>
    public string? Key { get; init; }

    /// <summary>The request's prompt id, for the usage ledger.</summary>
    public string? PromptId { get; init; }

    /// <summary>The request's prompt version, for the usage ledger.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>The request's task, for the usage ledger.</summary>
    public string? Task { get; init; }

    /// <summary>The request's user, for the usage ledger.</summary>
    public string? UserId { get; init; }

    /// <summary>The request's tenant, for the usage ledger.</summary>
    public string? TenantId { get; init; }

    /// <summary>The request's endpoint (or prompt id), for the usage ledger.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Where the item is.</summary>
    public ProviderBatchItemState State { get; init; }

    /// <summary>The local id of the batch the item was last submitted in, or null.</summary>
    public string? BatchId { get; init; }

    /// <summary>How many batches the item was submitted in so far.</summary>
    public int Attempts { get; init; }

    /// <summary>The provider's answer for the item (OpenAI: the chat completion; Anthropic: the message), once completed.</summary>
    public string? ResultJson { get; init; }

    /// <summary>The last error (a retried item keeps the error of its previous attempt until it completes).</summary>
    public string? Error { get; init; }

    /// <summary>Why a completed item has no answer; null when it has one.</summary>
    public ProviderBatchFailureKind? Failure { get; init; }

    /// <summary>When the item was accepted.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its answer (or final error) was stored.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>When it was delivered.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary><c>caller</c> (the awaiting task) or <c>handler</c> (the results handler), once delivered.</summary>
    public string? DeliveredTo { get; init; }
}
