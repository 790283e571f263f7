using Microsoft.Extensions.Logging;

namespace PromptOps.Routing;

/// <summary>The log messages of <see cref="CascadeChatClient"/>.</summary>
internal static partial class CascadeLog
{
    [LoggerMessage(EventId = 3120, Level = LogLevel.Debug, Message = "PromptOps cascade: level {Level} ({Model}) did not pass ({Reason}); escalating.")]
    public static partial void Escalating(ILogger logger, int level, string model, string reason);
}
