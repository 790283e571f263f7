using Microsoft.Extensions.Logging;

namespace PromptOps.Budgets;

/// <summary>The log messages of <see cref="EscrowBudgetStore"/>.</summary>
internal static partial class EscrowLog
{
    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning,
        Message = "PromptOps budgets: settling an escrow slice failed; it is replayed when the store answers, or expires with its lease.")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception);
}
