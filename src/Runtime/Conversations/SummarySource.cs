using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Conversations;

/// <summary>Where a reduction's summary came from.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum SummarySource
{
    /// <summary>No summary (nothing dropped, or the drop-oldest strategy).</summary>
    None,

    /// <summary>The summarizer was called.</summary>
    Called,

    /// <summary>A summary of the same turns was remembered.</summary>
    Remembered,

    /// <summary>The summarizer answered nothing: the turns were dropped without a summary.</summary>
    Empty,
}
