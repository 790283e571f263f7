using Microsoft.Extensions.Logging;

namespace PromptOps.Caching;

internal static partial class PromptCacheLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "PromptOps cache: the {Store} L2 store is unavailable; continuing with L1 and the provider, retrying every {RetryInterval}.")]
    public static partial void DistributedUnavailable(ILogger logger, string store, TimeSpan retryInterval, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "PromptOps cache: the {Store} L2 store is available again.")]
    public static partial void DistributedRecovered(ILogger logger, string store);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "PromptOps cache: unreadable L2 entry {Key} treated as a miss.")]
    public static partial void UnreadableEntry(ILogger logger, string key);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "PromptOps cache: could not store the response under {Key}; it was returned uncached.")]
    public static partial void StoreFailed(ILogger logger, string key, Exception exception);
}
