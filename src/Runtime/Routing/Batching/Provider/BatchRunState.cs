using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Routing.Batching;

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
