using System.Diagnostics.CodeAnalysis;

namespace PromptOps.Conversations;

/// <summary>What a conversation does when its history no longer fits the budget.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public enum ConversationBudgetStrategy
{
    /// <summary>Drop the oldest turns (the default).</summary>
    DropOldest,

    /// <summary>Replace the oldest turns with one summary message, written by the summarizer client (a metered call).</summary>
    Summarize,
}
