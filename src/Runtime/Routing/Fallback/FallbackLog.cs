using Microsoft.Extensions.Logging;

namespace PromptOps.Routing;

/// <summary>The log messages of <see cref="FallbackChatClient"/>.</summary>
internal static partial class FallbackLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "PromptOps fallback: {Provider} attempt {Attempt} failed ({Error}); retrying in {Delay}.")]
    public static partial void Retrying(ILogger logger, string provider, int attempt, string error, TimeSpan delay);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "PromptOps fallback: {Provider} failed ({Error}); trying the next provider.")]
    public static partial void ProviderFailed(ILogger logger, string provider, string error, Exception exception);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "PromptOps fallback: {Provider} failed ({Error}) and is skipped until {Until}; then one request probes it.")]
    public static partial void MarkedUnhealthy(ILogger logger, string provider, string error, DateTimeOffset until, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "PromptOps fallback: {Provider} answered again and is healthy.")]
    public static partial void Recovered(ILogger logger, string provider);
}
