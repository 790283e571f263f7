using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>The final outcome of one item in a batch: the provider's answer, or why there is none.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="ResultJson">The provider's answer; null when it failed.</param>
/// <param name="Error">The error; null when it has an answer.</param>
/// <param name="Failure">Why it failed; null when it has an answer.</param>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ProviderBatchItemOutcome(string ItemId, string? ResultJson, string? Error, ProviderBatchFailureKind? Failure);
