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
