using Microsoft.Extensions.Logging;

namespace PromptOps.Usage.Sqlite;

/// <summary>The log messages of <see cref="SqliteUsageSink"/>.</summary>
internal static partial class LedgerLog
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "PromptOps ledger: {Count} usage records were not stored in {Path} since the last warning ({Reason}; overflow policy {Policy}; {Total} in all). Raise PromptOps:Ledger:QueueCapacity or set PromptOps:Ledger:BlockWhenFull if every record must be kept.")]
    public static partial void RecordsDropped(ILogger logger, long count, string path, string reason, LedgerOverflowPolicy policy, long total);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning,
        Message = "PromptOps ledger closed: {Total} usage records in all were not stored in {Path} ({Unreported} of them after the last warning; overflow policy {Policy}).")]
    public static partial void DroppedInAll(ILogger logger, long total, string path, long unreported, LedgerOverflowPolicy policy);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "PromptOps ledger: a batch of {Count} usage records could not be written to {Path}; they are lost.")]
    public static partial void BatchFailed(ILogger logger, int count, string path, Exception exception);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "PromptOps ledger {Path}: a budget event could not be written.")]
    public static partial void EventFailed(ILogger logger, string path, Exception exception);
}
