using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace PromptOps.Routing.Batching;

/// <summary>A batch API answered with an error status (or a body that is not what the API documents).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed class BatchApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Not worth asking again as it is: a 4xx other than 408 and 429.</summary>
    public bool IsPermanent => (int)Status is >= 400 and < 500 and not 408 and not 429;
}
