using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Routing.Batching;

/// <summary>One item's line in a batch's results: the answer (the provider's JSON), or an error and whether it is worth another attempt.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed record BatchApiItemResult(string? ResponseJson, string? Error, ProviderBatchFailureKind? Failure, bool Retryable)
{
    public static BatchApiItemResult Succeeded(string json) => new(json, null, null, false);
}
