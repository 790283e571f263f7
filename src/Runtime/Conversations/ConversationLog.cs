using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace PromptOps.Conversations;

/// <summary>The conversation budget's log events (3301–3304: the block after budgets 30xx, routing 31xx and batching 32xx).</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal static partial class ConversationLog
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Debug,
        Message = "PromptOps conversation budget: dropped {Dropped} of {Count} messages ({Strategy}); input {Before} → {After} tokens of {Max}.")]
    public static partial void Reduced(ILogger logger, int dropped, int count, string strategy, int before, int after, int max);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information,
        Message = "PromptOps conversation budget: summarized {Dropped} dropped messages into one message ({SummaryTokens} tokens at most) with a summary call.")]
    public static partial void Summarized(ILogger logger, int dropped, int summaryTokens);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning,
        Message = "PromptOps conversation budget: the request needs {Required} input tokens with every droppable turn dropped, more than its budget of {Max}; it is not sent.")]
    public static partial void Refused(ILogger logger, int required, int max);

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning,
        Message = "PromptOps conversation budget: the summary call answered nothing; {Dropped} messages were dropped without a summary.")]
    public static partial void EmptySummary(ILogger logger, int dropped);
}
