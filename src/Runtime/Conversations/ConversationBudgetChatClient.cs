using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PromptOps.Conversations;

/// <summary>
/// Keeps a conversation under a token budget: each request's history is cut by a <see cref="ConversationReducer"/> (drop the
/// oldest turns, or summarize them; never a system message, never a tool call without its result, never the latest user
/// message) before it goes on, and a request that cannot fit is refused with <see cref="ConversationBudgetExceededException"/>.
/// The caller keeps and sends its whole history; nothing of it is changed.
/// <para>Place it first, before <c>UsePromptOps()</c> (<c>builder.UseConversationBudget(8_000).UsePromptOps()</c>): the usage
/// meter, the cache and the budget then see the history as it is sent, and the summary call — made through this layer's inner
/// client unless <see cref="ConversationBudgetOptions.Summarizer"/> names another — is metered, cached and budgeted like any
/// call (prompt id <see cref="ConversationReducer.SummaryPromptId"/>). A refusal happens before the meter, so it is logged
/// (event 3303) and counted (<c>promptops.conversation.refused</c>) but not in the ledger.</para>
/// <para>Microsoft.Extensions.AI's <c>UseChatReducer</c> (<see cref="IChatReducer"/>) takes a <see cref="ConversationReducer"/> too;
/// this layer is what PromptOps uses because a reducer sees neither the request's options (its model's tokenizer, its
/// instructions and tools, the user its summary call is made for) nor a place to report what it dropped.</para>
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ConversationBudgetChatClient : DelegatingChatClient
{
    private readonly ConversationReducer _reducer;
    private readonly ConversationBudgetOptions _options;
    private readonly ConversationMetrics _metrics;
    private readonly ILogger _logger;

    /// <summary>Creates the layer; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    /// <param name="innerClient">The next client; also the summarizer unless the options name one.</param>
    /// <param name="options">The budget and the strategy.</param>
    /// <param name="metrics">Where drops are counted (the shared instance when null).</param>
    /// <param name="logger">Logs cuts (debug), summaries and refusals.</param>
    public ConversationBudgetChatClient(IChatClient innerClient, ConversationBudgetOptions options, ConversationMetrics? metrics = null,
        ILogger<ConversationBudgetChatClient>? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reducer = new ConversationReducer(options);
        _options = _reducer.Options;
        _metrics = metrics ?? ConversationMetrics.Shared;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The reducer this layer cuts with.</summary>
    public ConversationReducer Reducer => _reducer;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var reduced = await ReduceAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return await base.GetResponseAsync(reduced, options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reduced = await ReduceAsync(messages, options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in base.GetStreamingResponseAsync(reduced, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private async Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ConversationReduction reduction;
        try
        {
            reduction = await _reducer.ReduceAsync(messages, options, InnerClient, cancellationToken).ConfigureAwait(false);
        }
        catch (ConversationBudgetExceededException e)
        {
            _metrics.Refused.Add(1);
            ConversationLog.Refused(_logger, e.RequiredTokens, e.MaxInputTokens);
            throw;
        }

        _metrics.Record(reduction, _options.Strategy);
        if (reduction.Reduced)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                var sent = reduction.Messages.Count + reduction.DroppedMessages - (reduction.Summary is null ? 0 : 1);
                var strategy = ConversationMetrics.StrategyTag(_options.Strategy);
                ConversationLog.Reduced(_logger, reduction.DroppedMessages, sent, strategy, reduction.TokensBefore, reduction.TokensAfter, _options.MaxInputTokens);
            }

            if (reduction.SummarySource == SummarySource.Called) ConversationLog.Summarized(_logger, reduction.DroppedMessages, _options.SummaryMaxOutputTokens);
            else if (reduction.SummarySource == SummarySource.Empty) ConversationLog.EmptySummary(_logger, reduction.DroppedMessages);
        }

        return reduction.Messages;
    }
}
