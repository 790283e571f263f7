using Microsoft.Extensions.Logging;

namespace PromptOps.Budgets;

internal static partial class BudgetLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning,
        Message = "PromptOps budgets: the {Store} store cannot be reached; policy {Policy} applies until it answers again (next try in {RetryInterval}). One warning per outage.")]
    public static partial void StoreUnavailable(ILogger logger, string store, BudgetStoreFailurePolicy policy, TimeSpan retryInterval, Exception exception);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information,
        Message = "PromptOps budgets: the {Store} store is available again; {Pending} settle(s) made during the outage are replayed.")]
    public static partial void StoreRecovered(ILogger logger, string store, int pending);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "PromptOps budgets: {Max} settles already wait for the {Store} store; this one is only counted locally.")]
    public static partial void PendingSettleDropped(ILogger logger, string store, int max);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "PromptOps budgets: settling a reservation failed; it expires with its lease.")]
    public static partial void SettleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning,
        Message = "PromptOps budgets: a call to {Model} cost {ActualUsd} USD, more than the {ReservedUsd} USD reserved for it (the provider went past the output limit, or the price is wrong); it is charged in full.")]
    public static partial void OverReservation(ILogger logger, string model, decimal actualUsd, decimal reservedUsd);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information,
        Message = "PromptOps budgets: the monthly pace is critical ({Ratio}x); requests of tier {From} are downgraded to {To}.")]
    public static partial void Downgrading(ILogger logger, decimal ratio, PromptOps.Knowledge.ModelTier from, PromptOps.Knowledge.ModelTier to);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning,
        Message = "PromptOps budget alert: the {Window} budget of {Scope} '{ScopeId}' crossed {Threshold}%: {SpentUsd} USD spent or reserved of {LimitUsd} USD.")]
    public static partial void Alert(ILogger logger, BudgetScope scope, string scopeId, BudgetWindow window, int threshold, decimal spentUsd, decimal limitUsd);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning,
        Message = "PromptOps budgets: the alert sink {Sink} failed; the alert is logged and counted but not delivered to it.")]
    public static partial void AlertSinkFailed(ILogger logger, string sink, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning,
        Message = "PromptOps budgets: could not claim the alert {Key} in the store; it is raised by this instance (another may raise it too).")]
    public static partial void AlertClaimFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error,
        Message = "PromptOps budget alert webhook {Url}: gave up delivering the {Threshold}% alert of {Scope} '{ScopeId}' ({Reason}).")]
    public static partial void WebhookGaveUp(ILogger logger, Uri url, BudgetScope scope, string scopeId, int threshold, string reason, Exception? exception);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning,
        Message = "PromptOps budget anomaly: user '{UserId}' spent {HourUsd} USD this hour, above {CeilingUsd} USD (their mean hourly spend {MeanUsd} USD × the factor); stopped for the day: {Stopped}.")]
    public static partial void Anomaly(ILogger logger, string userId, decimal hourUsd, decimal meanUsd, decimal ceilingUsd, bool stopped);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning,
        Message = "PromptOps budgets: the {Store} store could not share a stopped user with the other instances; the stop holds on this instance.")]
    public static partial void StopNotShared(ILogger logger, string store, Exception? exception = null);

    [LoggerMessage(EventId = 3016, Level = LogLevel.Warning,
        Message = "PromptOps budget action: the semantic cache is not widened while the false-hit rate of verified hits is {Rate:P1}, above 1 %.")]
    public static partial void SemanticWideningStoodDown(ILogger logger, double rate);
}
