using Microsoft.Extensions.Logging;

namespace PromptOps.Usage;

/// <summary>The log messages of <see cref="UsageMeterChatClient"/>.</summary>
internal static partial class UsageLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "PromptOps usage: the sink {Sink} threw; the record was not stored there.")]
    public static partial void SinkFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "PromptOps usage: a response of {Model} reported impossible token counts (input {Input}, cached {Cached}, output {Output}); metered as input {ClampedInput}, cached {ClampedCached}, output {ClampedOutput} and flagged TokensClamped. Logged once per meter; later records are only flagged.")]
    public static partial void UsageClamped(ILogger logger, string? model, long? input, long? cached, long? output, long clampedInput, long clampedCached, long clampedOutput);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning,
        Message = "PromptOps usage: the model {Model} is not in the price catalogue; its calls are recorded as unpriced (cost unknown, never $0). Add it with PromptOps:Pricing:Models or import a price file (promptops prices --import). Logged once per model.")]
    public static partial void ModelUnpriced(ILogger logger, string model);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "PromptOps usage: metering a call to {Model} failed; the answer is returned unmetered.")]
    public static partial void MeterFailed(ILogger logger, string? model, Exception exception);
}
