using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace PromptOps.Conversations;

/// <summary>
/// Options of <see cref="ConversationBudgetChatClient"/> and <see cref="ConversationReducer"/> (bindable from configuration,
/// e.g. <c>services.Configure&lt;ConversationBudgetOptions&gt;(configuration.GetSection("PromptOps:Conversation"))</c>).
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ConversationBudgetOptions
{
    /// <summary>The default of <see cref="SummaryInstructions"/>.</summary>
    public const string DefaultSummaryInstructions =
        "Summarize the earlier part of a conversation between a user and an assistant so the assistant can continue it. "
        + "Keep facts, names, numbers, decisions, open questions and the results of tool calls; leave out greetings and filler. "
        + "Write plain sentences, no preamble.";

    /// <summary>
    /// The most input tokens a request may have after the history is cut: every message, the instructions and the tools'
    /// schemas, counted as <see cref="Tokens.RequestTokens.Count"/> counts them. Required; positive.
    /// </summary>
    public int MaxInputTokens { get; set; }

    /// <summary>Drop the oldest turns (default) or summarize them.</summary>
    public ConversationBudgetStrategy Strategy { get; set; } = ConversationBudgetStrategy.DropOldest;

    /// <summary>
    /// Turns are dropped in blocks of about this many tokens, counted from the start of the conversation, so the part that
    /// is kept — the prefix a provider caches, and the summary — stays the same for several turns instead of changing on
    /// every turn. Null: a quarter of <see cref="MaxInputTokens"/>; 0: drop only what the budget needs. Not negative, and
    /// less than <see cref="MaxInputTokens"/>.
    /// </summary>
    public int? DropBlockTokens { get; set; }

    /// <summary>
    /// <see cref="ConversationBudgetStrategy.Summarize"/>: the output-token limit of the summary call, and the room kept
    /// for the summary in the budget (a longer summary is cut to it). Positive, at most half of <see cref="MaxInputTokens"/>.
    /// Default 300.
    /// </summary>
    public int SummaryMaxOutputTokens { get; set; } = 300;

    /// <summary>The system message of the summary call.</summary>
    public string SummaryInstructions { get; set; } = DefaultSummaryInstructions;

    /// <summary>
    /// The model of the summary call; null: the request's <see cref="ChatOptions.ModelId"/> (when that is null too, the
    /// call carries the <c>summary</c> task, which tier routing sends to its tier).
    /// </summary>
    public string? SummaryModelId { get; set; }

    /// <summary>
    /// The client that writes summaries; null: the layer's inner client (with <c>UseConversationBudget</c> before
    /// <c>UsePromptOps</c>, the whole pipeline: the call is metered, cached and budgeted like any other).
    /// <see cref="ConversationReducer"/> used as an <see cref="IChatReducer"/> has no inner client and needs it to summarize.
    /// </summary>
    public IChatClient? Summarizer { get; set; }

    /// <summary>
    /// The model whose tokenizer counts (<see cref="Tokens.TokenCounters.ForModel"/>); null: the request's
    /// <see cref="ChatOptions.ModelId"/>. When neither names a model with a local tokenizer, the documented estimate counts
    /// (it errs high). Set it when the layer sits before tier routing, which is where the model is chosen.
    /// </summary>
    public string? TokenizerModelId { get; set; }

    /// <summary>How many summaries are remembered (by the hash of what they summarize) so a later turn reuses them. Positive. Default 1,000.</summary>
    public int MaxRememberedSummaries { get; set; } = 1_000;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (MaxInputTokens <= 0)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Conversation:MaxInputTokens must be positive, but is {MaxInputTokens}.");
            yield break; // the other limits are relative to it
        }

        if (!Enum.IsDefined(Strategy)) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Conversation:Strategy is {(int)Strategy}; use DropOldest or Summarize.");
        if (DropBlockTokens is { } block && (block < 0 || block >= MaxInputTokens))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Conversation:DropBlockTokens must be between 0 and MaxInputTokens ({MaxInputTokens}) exclusive, but is {block}.");
        }

        if (Strategy == ConversationBudgetStrategy.Summarize)
        {
            if (SummaryMaxOutputTokens <= 0 || SummaryMaxOutputTokens > MaxInputTokens / 2)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Conversation:SummaryMaxOutputTokens must be between 1 and half of MaxInputTokens ({MaxInputTokens / 2}), but is {SummaryMaxOutputTokens}.");
            }

            if (string.IsNullOrWhiteSpace(SummaryInstructions)) yield return "PromptOps:Conversation:SummaryInstructions is empty; the summary call needs instructions.";
        }

        if (MaxRememberedSummaries <= 0) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Conversation:MaxRememberedSummaries must be positive, but is {MaxRememberedSummaries}.");
    }

    /// <summary>The block size in effect: <see cref="DropBlockTokens"/>, else a quarter of <see cref="MaxInputTokens"/>.</summary>
    internal int EffectiveDropBlockTokens => DropBlockTokens ?? MaxInputTokens / 4;

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal ConversationBudgetOptions Clone() => new()
    {
        MaxInputTokens = MaxInputTokens,
        Strategy = Strategy,
        DropBlockTokens = DropBlockTokens,
        SummaryMaxOutputTokens = SummaryMaxOutputTokens,
        SummaryInstructions = SummaryInstructions,
        SummaryModelId = SummaryModelId,
        Summarizer = Summarizer,
        TokenizerModelId = TokenizerModelId,
        MaxRememberedSummaries = MaxRememberedSummaries,
    };
}
