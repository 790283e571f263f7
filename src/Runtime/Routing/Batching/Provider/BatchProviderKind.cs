using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>The provider batch API a <see cref="ProviderBatchScheduler"/> submits to.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum BatchProviderKind
{
    /// <summary>OpenAI's Batch API: a JSONL file uploaded with <c>purpose=batch</c>, then <c>POST /v1/batches</c> on <c>/v1/chat/completions</c>.</summary>
    OpenAI,

    /// <summary>Anthropic's Message Batches API: <c>POST /v1/messages/batches</c> with the requests inline.</summary>
    Anthropic,
}
