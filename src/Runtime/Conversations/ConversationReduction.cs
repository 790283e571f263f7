using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace PromptOps.Conversations;

/// <summary>The outcome of <see cref="ConversationReducer.ReduceAsync(IEnumerable{ChatMessage}, ChatOptions?, IChatClient?, CancellationToken)"/>.</summary>
/// <param name="Messages">The history to send (the caller's own instance when nothing was dropped).</param>
/// <param name="DroppedMessages">How many messages were dropped (summarized ones included).</param>
/// <param name="TokensBefore">The request's input tokens with the whole history.</param>
/// <param name="TokensAfter">The request's input tokens with <paramref name="Messages"/>.</param>
/// <param name="Summary">The summary message, when one was added.</param>
/// <param name="SummarySource">Where the summary came from.</param>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed record ConversationReduction(IReadOnlyList<ChatMessage> Messages, int DroppedMessages, int TokensBefore, int TokensAfter,
    ChatMessage? Summary, SummarySource SummarySource)
{
    /// <summary>True when the history was cut.</summary>
    public bool Reduced => DroppedMessages > 0;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"dropped {DroppedMessages}, {TokensBefore} → {TokensAfter} tokens, summary: {SummarySource}");
}
