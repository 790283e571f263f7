using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Routing.Batching;

/// <summary>A provider batch's status.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed record BatchApiStatus(string ProviderBatchId, string Status, BatchRunState State, string? OutputFileId = null, string? ErrorFileId = null,
    string? ResultsUrl = null, string? Error = null);
