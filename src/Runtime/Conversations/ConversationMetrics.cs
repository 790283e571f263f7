using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using PromptOps.Usage;

namespace PromptOps.Conversations;

/// <summary>
/// The conversation budget's instruments, on the PromptOps meter (<see cref="PromptOpsMetrics.MeterName"/>):
/// <list type="bullet">
/// <item><c>promptops.conversation.dropped_messages</c> (counter, <c>{message}</c>): messages cut from requests' histories,
/// tagged <c>promptops.conversation.strategy</c> (<c>drop_oldest</c>, <c>summarize</c>).</item>
/// <item><c>promptops.conversation.input_tokens</c> (histogram, <c>{token}</c>): the input tokens of each request the layer
/// passed on, as counted after the cut, tagged <c>promptops.conversation.reduced</c> (<c>true</c>/<c>false</c>) — its
/// growth over a conversation is the history's.</item>
/// <item><c>promptops.conversation.summaries</c> (counter, <c>{summary}</c>): summaries added, tagged
/// <c>promptops.conversation.summary_source</c> (<c>called</c>, <c>remembered</c>, <c>empty</c>).</item>
/// <item><c>promptops.conversation.refused</c> (counter, <c>{request}</c>): requests not sent because even the smallest
/// history the rules allow is over the budget.</item>
/// </list>
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ConversationMetrics : IDisposable
{
    private static readonly Lazy<ConversationMetrics> SharedInstance = new(() => new ConversationMetrics(meterFactory: null));
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (DI), or on an own meter when null.</summary>
    public ConversationMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(PromptOpsMetrics.MeterName);
        }
        else
        {
            _meter = new Meter(PromptOpsMetrics.MeterName);
            _ownsMeter = true;
        }

        DroppedMessages = _meter.CreateCounter<long>("promptops.conversation.dropped_messages", "{message}", "Messages cut from conversation histories to keep them under their token budget.");
        InputTokens = _meter.CreateHistogram<long>("promptops.conversation.input_tokens", "{token}", "Input tokens of conversation requests after the history was cut to its budget.");
        Summaries = _meter.CreateCounter<long>("promptops.conversation.summaries", "{summary}", "Summaries that replaced dropped conversation turns, by where they came from.");
        Refused = _meter.CreateCounter<long>("promptops.conversation.refused", "{request}", "Conversation requests over their token budget even with every droppable turn dropped.");
    }

    /// <summary>The process-wide instance used when no DI container supplies one.</summary>
    internal static ConversationMetrics Shared => SharedInstance.Value;

    internal Counter<long> DroppedMessages { get; }

    internal Histogram<long> InputTokens { get; }

    internal Counter<long> Summaries { get; }

    internal Counter<long> Refused { get; }

    internal void Record(ConversationReduction reduction, ConversationBudgetStrategy strategy)
    {
        if (reduction.DroppedMessages > 0)
        {
            DroppedMessages.Add(reduction.DroppedMessages, new KeyValuePair<string, object?>("promptops.conversation.strategy", StrategyTag(strategy)));
        }

        InputTokens.Record(reduction.TokensAfter, new KeyValuePair<string, object?>("promptops.conversation.reduced", reduction.Reduced));
        if (reduction.SummarySource != SummarySource.None)
        {
            var source = reduction.SummarySource switch { SummarySource.Called => "called", SummarySource.Remembered => "remembered", _ => "empty" };
            Summaries.Add(1, new KeyValuePair<string, object?>("promptops.conversation.summary_source", source));
        }
    }

    internal static string StrategyTag(ConversationBudgetStrategy strategy) => strategy == ConversationBudgetStrategy.Summarize ? "summarize" : "drop_oldest";

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
