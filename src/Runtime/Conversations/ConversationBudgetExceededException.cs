using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using PromptOps.Budgets;

namespace PromptOps.Conversations;

/// <summary>
/// A conversation that does not fit its token budget even with every turn that may be dropped: the system prompt(s), the
/// instructions and tools, the latest user message and the latest round after it (a tool call and its result) need more
/// input tokens than <see cref="ConversationBudgetOptions.MaxInputTokens"/>. The request is not sent.
/// <see cref="PromptOpsLimitException.LimitName"/> is <c>conversation.max_input_tokens</c>; waiting does not help
/// (<see cref="PromptOpsLimitException.RetryAfter"/> is null).
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ConversationBudgetExceededException : PromptOpsLimitException
{
    /// <summary>The limit name this exception carries.</summary>
    public const string ConversationLimitName = "conversation.max_input_tokens";

    /// <summary>Creates the exception.</summary>
    /// <param name="requiredTokens">The input tokens of the smallest request the rules allow.</param>
    /// <param name="maxInputTokens">The budget.</param>
    /// <param name="fixedTokens">What is never dropped: system messages, instructions, tools, the reply priming.</param>
    /// <param name="latestTurnTokens">The latest user message and the latest round after it.</param>
    /// <param name="userId">The user of the request, when known.</param>
    public ConversationBudgetExceededException(int requiredTokens, int maxInputTokens, int fixedTokens, int latestTurnTokens, string? userId = null)
        : base(MessageFor(requiredTokens, maxInputTokens, fixedTokens, latestTurnTokens), ConversationLimitName, requiredTokens, maxInputTokens, "tokens", retryAfter: null, userId)
    {
        RequiredTokens = requiredTokens;
        MaxInputTokens = maxInputTokens;
        FixedTokens = fixedTokens;
        LatestTurnTokens = latestTurnTokens;
    }

    /// <summary>The input tokens of the smallest request the rules allow.</summary>
    public int RequiredTokens { get; }

    private static string MessageFor(int requiredTokens, int maxInputTokens, int fixedTokens, int latestTurnTokens) => string.Create(CultureInfo.InvariantCulture,
        $"The conversation needs at least {requiredTokens} input tokens with every droppable turn dropped, more than its budget of {maxInputTokens} (system messages, instructions and tools: {fixedTokens}; the latest user message and the latest round after it: {latestTurnTokens}). Raise ConversationBudgetOptions.MaxInputTokens, or shorten the system prompt or the latest message.");

    /// <summary>The budget.</summary>
    public int MaxInputTokens { get; }

    /// <summary>What is never dropped: system messages, instructions, tools, the reply priming.</summary>
    public int FixedTokens { get; }

    /// <summary>The latest user message and the latest round after it.</summary>
    public int LatestTurnTokens { get; }
}
