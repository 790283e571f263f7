using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>
/// Receives the results of deferred calls whose caller is no longer waiting: the process that asked stopped before its
/// batch ended (the result is delivered by the process that resumed the batch), or the caller cancelled its wait. Register
/// one in the container (<c>services.AddSingleton&lt;IProviderBatchResultHandler, MyHandler&gt;()</c>). A result is marked
/// delivered after the handler returns: a process that stops between the two hands it to the next one again, so use
/// <see cref="ProviderBatchResult.ItemId"/> to make the handler idempotent. A handler that throws leaves the result
/// undelivered (it is offered again on the next resume).
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public interface IProviderBatchResultHandler
{
    /// <summary>Takes one result.</summary>
    ValueTask HandleAsync(ProviderBatchResult result, CancellationToken cancellationToken);
}
