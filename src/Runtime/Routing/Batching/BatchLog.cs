using Microsoft.Extensions.Logging;

namespace PromptOps.Routing;

/// <summary>The log messages of <see cref="BatchProcessor"/>.</summary>
internal static partial class BatchLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "PromptOps batch: the call for {Count} items failed; asking them one by one.")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "PromptOps batch: the reply for {Count} items is not a JSON array; asking them one by one.")]
    public static partial void Unparseable(ILogger logger, int count);
}
