using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace PromptOps.Routing.Batching;

[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal static partial class BatchingLog
{
    [LoggerMessage(EventId = 3210, Level = LogLevel.Information, Message = "PromptOps batching: submitted {Count} items to {Provider} as batch {ProviderBatchId} (local {BatchId}).")]
    public static partial void Submitted(ILogger logger, int count, BatchProviderKind provider, string providerBatchId, string batchId);

    [LoggerMessage(EventId = 3211, Level = LogLevel.Warning, Message = "PromptOps batching: submitting batch {BatchId} ({Count} items) failed; its items count one attempt.")]
    public static partial void SubmitFailed(ILogger logger, string batchId, int count, Exception exception);

    [LoggerMessage(EventId = 3212, Level = LogLevel.Warning, Message = "PromptOps batching: polling batch {ProviderBatchId} failed; polling again after {Delay}.")]
    public static partial void PollFailed(ILogger logger, string providerBatchId, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3213, Level = LogLevel.Information, Message = "PromptOps batching: batch {ProviderBatchId} ended ({Status}): {Answered} answered, {Failed} failed, {Retried} queued again.")]
    public static partial void Ended(ILogger logger, string providerBatchId, string status, int answered, int failed, int retried);

    [LoggerMessage(EventId = 3214, Level = LogLevel.Warning, Message = "PromptOps batching: the result of item {ItemId} has no caller waiting and no IProviderBatchResultHandler is registered; it stays undelivered until a resume with a handler.")]
    public static partial void NoHandler(ILogger logger, string itemId);

    [LoggerMessage(EventId = 3215, Level = LogLevel.Error, Message = "PromptOps batching: the results handler failed on item {ItemId}; it stays undelivered and is offered again on the next resume.")]
    public static partial void HandlerFailed(ILogger logger, string itemId, Exception exception);

    [LoggerMessage(EventId = 3216, Level = LogLevel.Information, Message = "PromptOps batching: resumed {Batches} open batches, {Queued} queued items and {Undelivered} undelivered results.")]
    public static partial void Resumed(ILogger logger, int batches, int queued, int undelivered);

    [LoggerMessage(EventId = 3217, Level = LogLevel.Warning, Message = "PromptOps batching: reading the results of batch {ProviderBatchId} failed; reading again after {Delay}.")]
    public static partial void ResultsFailed(ILogger logger, string providerBatchId, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3218, Level = LogLevel.Error, Message = "PromptOps batching: resuming the stored batches when the host started failed (attempt {Attempt}); trying again after {Delay}. What the store holds stays there meanwhile.")]
    public static partial void ResumeFailed(ILogger logger, int attempt, TimeSpan delay, Exception exception);
}
