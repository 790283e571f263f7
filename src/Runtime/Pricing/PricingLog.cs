using Microsoft.Extensions.Logging;

namespace PromptOps.Pricing;

internal static partial class PricingLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning,
        Message = "PromptOps pricing: {Setting} '{Path}': {Unreadable} entries could not be read and were skipped (their models keep the built-in price or are unpriced); {Imported} imported. {Problems}")]
    public static partial void UnreadableEntries(ILogger logger, string setting, string path, int unreadable, int imported, string problems);
}
