using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace PromptOps.Routing.Batching;

/// <summary>One provider's batch API: its request format, submission, status and results.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal interface IBatchApi
{
    /// <summary>The provider request body for one call (text messages only).</summary>
    /// <exception cref="NotSupportedException">The call has content or options a batch request cannot carry here (tools, images).</exception>
    string BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model);

    /// <summary>Submits the items (<c>custom_id</c>, request body) as one batch; returns the provider's batch id.</summary>
    Task<string> SubmitAsync(IReadOnlyList<(string CustomId, string RequestJson)> items, CancellationToken cancellationToken);

    /// <summary>The batch's status.</summary>
    Task<BatchApiStatus> GetStatusAsync(string providerBatchId, CancellationToken cancellationToken);

    /// <summary>The per-item outcomes of an ended batch, by <c>custom_id</c> (items the provider has no line for are missing).</summary>
    Task<IReadOnlyDictionary<string, BatchApiItemResult>> ReadResultsAsync(BatchApiStatus status, CancellationToken cancellationToken);

    /// <summary>The provider's answer for one item (as stored) as a chat response.</summary>
    ChatResponse ParseResponse(string resultJson);
}

/// <summary>Where a provider batch is.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal enum BatchRunState
{
    /// <summary>Validating, in progress, finalizing, cancelling: poll again.</summary>
    Running,

    /// <summary>Done: read the results (items may still have failed, expired or been cancelled one by one).</summary>
    Ended,

    /// <summary>The batch failed as a whole (OpenAI: its input did not validate).</summary>
    Failed,

    /// <summary>The batch expired (OpenAI); items it finished have results.</summary>
    Expired,

    /// <summary>The batch was cancelled (OpenAI); items it finished have results.</summary>
    Cancelled,
}

/// <summary>A provider batch's status.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed record BatchApiStatus(string ProviderBatchId, string Status, BatchRunState State, string? OutputFileId = null, string? ErrorFileId = null,
    string? ResultsUrl = null, string? Error = null);

/// <summary>One item's line in a batch's results: the answer (the provider's JSON), or an error and whether it is worth another attempt.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed record BatchApiItemResult(string? ResponseJson, string? Error, ProviderBatchFailureKind? Failure, bool Retryable)
{
    public static BatchApiItemResult Succeeded(string json) => new(json, null, null, false);
}
