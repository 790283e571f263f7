using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>One batch submitted to the provider, as <see cref="IProviderBatchStore"/> keeps it.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ProviderBatchRecord
{
    /// <summary>The local id (32 hex digits), stored on each of its items.</summary>
    public required string Id { get; init; }

    /// <summary>The provider it was submitted to.</summary>
    public required BatchProviderKind Provider { get; init; }

    /// <summary>The provider's batch id; null until the provider accepted the batch.</summary>
    public string? ProviderBatchId { get; init; }

    /// <summary>The provider's last status (<c>validating</c>, <c>in_progress</c>, <c>ended</c>, …), or <c>created</c>.</summary>
    public string Status { get; init; } = "created";

    /// <summary>True once its results were read and every item completed or queued again.</summary>
    public bool Ended { get; init; }

    /// <summary>How many items it holds.</summary>
    public int ItemCount { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it ended, or null.</summary>
    public DateTimeOffset? EndedAt { get; init; }
}
