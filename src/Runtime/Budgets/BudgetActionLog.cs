using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace PromptOps.Budgets;

/// <summary>
/// The budget actions' log events (3013, 3014; the rest of the budget's 30xx block is <see cref="BudgetLog"/>). A class of
/// their own because budget actions are experimental (PROMPTOPS001): the logging generator's code for them sits in this
/// experimental class, not in the budget's.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal static partial class BudgetActionLog
{
    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
        Message = "PromptOps budget action: {Action} taken ({Trigger}) for '{ScopeId}': {SpentUsd} USD of {LimitUsd} USD; it holds until {Until:u}.")]
    public static partial void ActionTaken(ILogger logger, BudgetActionKind action, BudgetActionTrigger trigger, string scopeId, decimal spentUsd, decimal limitUsd, DateTimeOffset until);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information,
        Message = "PromptOps budget action: {Action} for '{ScopeId}' undone (its period rolled over).")]
    public static partial void ActionUndone(ILogger logger, BudgetActionKind action, string scopeId);
}
