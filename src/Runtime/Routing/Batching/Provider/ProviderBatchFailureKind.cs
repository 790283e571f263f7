using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>Why a deferred item has no answer.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum ProviderBatchFailureKind
{
    /// <summary>The provider answered the item with an error (a rejected request, or a server error after every attempt).</summary>
    Errored,

    /// <summary>The batch expired before the item was processed, on every attempt.</summary>
    Expired,

    /// <summary>The batch was cancelled (by an operator or through the provider's console) before the item was processed.</summary>
    Cancelled,

    /// <summary>The batch as a whole failed (OpenAI: the input file did not validate), or it could not be submitted, on every attempt.</summary>
    BatchFailed,
}
