using Microsoft.Extensions.Logging;

namespace PromptOps.Routing;

/// <summary>The log messages of <see cref="EscalationChatClient"/>.</summary>
internal static partial class EscalationLog
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Debug, Message = "PromptOps: the reply of {PromptId} on tier {Tier} did not validate ({Reason}); asking tier {Next}.")]
    public static partial void Escalating(ILogger logger, string promptId, string tier, string next, string reason);
}
