using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PromptOps.Conversations;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using PromptOps.Usage;

namespace PromptOps.Tests.Conversations;

public sealed class ConversationReducerTests : IDisposable
{
    private const string Model = "gpt-4o-mini";
    private static readonly ChatOptions Options = new() { ModelId = Model };
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    /// <summary>A system prompt and <paramref name="turns"/> user/assistant pairs of about 40 tokens each.</summary>
    private static List<ChatMessage> History(int turns, string system = "You are a helpful assistant.")
    {
        var history = new List<ChatMessage> { new(ChatRole.System, system) };
        for (var i = 1; i <= turns; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {i}: what is the delivery status of my order number {1000 + i}, and when will it arrive?"));
            history.Add(new ChatMessage(ChatRole.Assistant, $"Order {1000 + i} is in transit and arrives in {i % 5 + 1} days; you can follow it on the carrier's page."));
        }

        history.Add(new ChatMessage(ChatRole.User, "And the last one?"));
        return history;
    }

    private static int Count(IEnumerable<ChatMessage> messages) => RequestTokens.Count(messages, Options, Model);

    [Fact]
    public async Task A_history_under_the_budget_goes_on_as_the_same_instance()
    {
        var provider = new RecordingChatClient();
        var history = History(3);
        using var client = new ConversationBudgetChatClient(provider, new ConversationBudgetOptions { MaxInputTokens = 10_000 });
        var reducer = client.Reducer;

        var reduction = await reducer.ReduceAsync(history, Options, summarizer: null);
        await client.GetResponseAsync(history, Options);

        Assert.Same(history, reduction.Messages);
        Assert.False(reduction.Reduced);
        Assert.Equal(Count(history), reduction.TokensAfter);
        Assert.Equal(history, provider.Received[0].Messages);
    }

    [Fact]
    public async Task Drop_oldest_cuts_before_a_user_message_keeps_the_system_prompt_and_does_not_touch_the_callers_list()
    {
        var history = History(20);
        var before = history.ToList();
        var budget = Count(history) / 2;
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = budget, DropBlockTokens = 0 });

        var reduction = await reducer.ReduceAsync(history, Options, summarizer: null);

        Assert.Equal(before, history);
        Assert.True(reduction.Reduced);
        Assert.Same(history[0], reduction.Messages[0]);
        Assert.Equal(ChatRole.User, reduction.Messages[1].Role);
        Assert.Same(history[^1], reduction.Messages[^1]);
        Assert.True(Count(reduction.Messages) <= budget);
        Assert.Equal(Count(reduction.Messages), reduction.TokensAfter);
        // Drop only what the budget needs (block 0): one more turn would have fitted nowhere.
        var oneTurnMore = new List<ChatMessage> { history[0] };
        oneTurnMore.AddRange(history.Skip(history.Count - reduction.Messages.Count + 1 - 2));
        Assert.True(Count(oneTurnMore) > budget);
    }

    [Fact]
    public async Task Blocks_keep_the_cut_in_place_while_the_history_grows()
    {
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 600, DropBlockTokens = 300 });
        var firstKept = new List<ChatMessage>();
        for (var turns = 10; turns <= 30; turns++)
        {
            var history = History(turns);
            var reduction = await reducer.ReduceAsync(history, Options, summarizer: null);
            Assert.True(reduction.TokensAfter <= 600);
            firstKept.Add(reduction.Messages[1]);
        }

        // About four turns per block: the first kept message changes far less often than once per turn.
        var changes = firstKept.Zip(firstKept.Skip(1)).Count(p => p.First.Text != p.Second.Text);
        Assert.InRange(changes, 1, 8);
    }

    [Fact]
    public async Task A_tool_call_and_its_result_are_dropped_or_kept_together()
    {
        // The cheapest cut that fits falls between the call and its (large) result; the cut moves past both.
        var history = new List<ChatMessage>
        {
            new(ChatRole.System, "You look up orders."),
            new(ChatRole.User, "Where is order 1001?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "lookup_order", new Dictionary<string, object?> { ["order"] = 1001 })]),
            new(ChatRole.User, "Sorry, and order 1002 as well?"),
            new(ChatRole.Tool, [new FunctionResultContent("c1", string.Join(" ", Enumerable.Repeat("in transit with DHL", 60)))]),
            new(ChatRole.Assistant, "Both are in transit."),
            new(ChatRole.User, "Thanks. When do they arrive?"),
        };
        var budget = Count(history) - 20; // dropping "Where is order 1001?" alone would be enough, but would orphan c1's call
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = budget, DropBlockTokens = 0 });

        var reduction = await reducer.ReduceAsync(history, Options, summarizer: null);

        Assert.Equal(new[] { history[0], history[6] }, reduction.Messages);
    }

    [Fact]
    public async Task A_system_message_inside_the_dropped_turns_is_kept_in_order()
    {
        var history = History(10);
        var late = new ChatMessage(ChatRole.System, "From now on answer in French.");
        history.Insert(5, late);
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = Count(history) / 2, DropBlockTokens = 0 });

        var reduction = await reducer.ReduceAsync(history, Options, summarizer: null);

        Assert.Same(history[0], reduction.Messages[0]);
        Assert.Same(late, reduction.Messages[1]);
        Assert.Equal(ChatRole.User, reduction.Messages[2].Role);
    }

    [Fact]
    public async Task A_conversation_that_cannot_fit_is_refused_with_a_clear_exception_and_is_not_sent()
    {
        using var refused = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), PromptOpsMetrics.MeterName, "promptops.conversation.refused");
        var logger = new FakeLogger<ConversationBudgetChatClient>();
        var provider = new RecordingChatClient();
        var history = History(5, system: string.Join(" ", Enumerable.Repeat("Always be polite and precise.", 50)));
        using var client = new ConversationBudgetChatClient(provider, new ConversationBudgetOptions { MaxInputTokens = 200 },
            new ConversationMetrics(_services.GetRequiredService<IMeterFactory>()), logger);

        var e = await Assert.ThrowsAsync<ConversationBudgetExceededException>(() => client.GetResponseAsync(history, Options));

        Assert.Equal(0, provider.Calls);
        Assert.Equal(200, e.MaxInputTokens);
        Assert.True(e.FixedTokens > 200);
        Assert.Equal(e.FixedTokens + e.LatestTurnTokens, e.RequiredTokens);
        Assert.Equal(ConversationBudgetExceededException.ConversationLimitName, e.LimitName);
        Assert.Null(e.RetryAfter);
        Assert.Contains("budget of 200", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxInputTokens", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(refused.GetMeasurementSnapshot()).Value);
        Assert.Equal(3303, Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning).Id.Id);
    }

    private static List<ChatMessage> AgentLoop(int rounds, string lastResult = "in transit with DHL, arriving in three days")
    {
        var history = new List<ChatMessage>
        {
            new(ChatRole.System, "You look up orders."),
            new(ChatRole.User, "Where is my order 1000?"),
            new(ChatRole.Assistant, "It is in transit."),
            new(ChatRole.User, "Check orders 1 to 20."),
        };
        for (var i = 1; i <= rounds; i++)
        {
            history.Add(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{i}", "lookup_order", new Dictionary<string, object?> { ["order"] = i })]));
            history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent($"c{i}", i == rounds ? lastResult : "in transit with DHL, arriving in three days")]));
        }

        return history;
    }

    [Theory]
    [InlineData(ConversationBudgetStrategy.DropOldest)]
    [InlineData(ConversationBudgetStrategy.Summarize)]
    public async Task An_agent_loop_after_the_latest_user_message_loses_its_oldest_whole_rounds_and_keeps_the_latest(ConversationBudgetStrategy strategy)
    {
        var history = AgentLoop(20);
        var summarizer = new RecordingChatClient(answer: "The user asked about order 1000, in transit.");
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 400, Strategy = strategy, SummaryMaxOutputTokens = 50 });

        var reduction = await reducer.ReduceAsync(history, Options, summarizer);

        var sent = reduction.Messages;
        Assert.True(Count(sent) <= 400, $"{Count(sent)} tokens");
        Assert.Same(history[0], sent[0]);
        Assert.Contains(history[3], sent); // the latest user message
        Assert.DoesNotContain(history[1], sent);
        Assert.Same(history[^2], sent[^2]); // the latest round, whole
        Assert.Same(history[^1], sent[^1]);
        var calls = sent.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        Assert.Equal(calls, sent.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToList());
        Assert.True(calls.Count is > 0 and < 20);
        Assert.Equal(Count(sent), reduction.TokensAfter);
        Assert.Equal(history.Count - sent.Count + (reduction.Summary is null ? 0 : 1), reduction.DroppedMessages);
        Assert.Equal(strategy == ConversationBudgetStrategy.Summarize ? 1 : 0, summarizer.Calls); // only the turns before the user message are summarized
    }

    [Fact]
    public async Task An_agent_loop_whose_latest_round_alone_is_over_the_budget_is_refused()
    {
        var history = AgentLoop(5, lastResult: string.Join(" ", Enumerable.Repeat("in transit with DHL, arriving in three days", 40)));
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 300 });

        var e = await Assert.ThrowsAsync<ConversationBudgetExceededException>(() => reducer.ReduceAsync(history, Options, summarizer: null));

        List<ChatMessage> smallest = [history[0], history[3], history[^2], history[^1]];
        Assert.Equal(Count(smallest), e.RequiredTokens);
        Assert.Equal(Count([history[0]]), e.FixedTokens);
    }

    [Theory]
    [InlineData(0, null, ConversationBudgetStrategy.DropOldest, 300, "MaxInputTokens must be positive, but is 0")]
    [InlineData(-5, null, ConversationBudgetStrategy.DropOldest, 300, "MaxInputTokens must be positive, but is -5")]
    [InlineData(1000, 1000, ConversationBudgetStrategy.DropOldest, 300, "DropBlockTokens must be between 0 and MaxInputTokens (1000) exclusive, but is 1000")]
    [InlineData(1000, -1, ConversationBudgetStrategy.DropOldest, 300, "DropBlockTokens must be between 0 and MaxInputTokens (1000) exclusive, but is -1")]
    [InlineData(1000, null, ConversationBudgetStrategy.Summarize, 501, "SummaryMaxOutputTokens must be between 1 and half of MaxInputTokens (500), but is 501")]
    [InlineData(1000, null, (ConversationBudgetStrategy)7, 300, "Strategy is 7; use DropOldest or Summarize")]
    public void Bad_options_fail_when_the_client_is_built_naming_the_value(int max, int? block, ConversationBudgetStrategy strategy, int summaryTokens, string expected)
    {
        var builder = new ChatClientBuilder(new RecordingChatClient()).UseConversationBudget(max, o =>
        {
            o.DropBlockTokens = block;
            o.Strategy = strategy;
            o.SummaryMaxOutputTokens = summaryTokens;
        });

        var e = Assert.Throws<ArgumentException>(() => builder.Build());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Summarize_replaces_the_dropped_turns_with_one_message_and_reuses_it_while_the_cut_stays()
    {
        var summarizer = new RecordingChatClient(answer: "The user asked about the delivery of orders 1001 to 1010; all are in transit.");
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 700, Strategy = ConversationBudgetStrategy.Summarize, SummaryMaxOutputTokens = 100 });
        var options = new ChatOptions { ModelId = Model }.WithPromptOps(new PromptOpsMetadata { UserId = "u1", TenantId = "t1", CacheScope = "u1", Endpoint = "support-chat" });
        var history = History(20);

        var first = await reducer.ReduceAsync(history, options, summarizer);
        history.Add(new ChatMessage(ChatRole.Assistant, "It is in transit."));
        history.Add(new ChatMessage(ChatRole.User, "Thanks!"));
        var second = await reducer.ReduceAsync(history, options, summarizer);

        Assert.Equal(SummarySource.Called, first.SummarySource);
        Assert.Equal(SummarySource.Remembered, second.SummarySource);
        Assert.Equal(1, summarizer.Calls);
        Assert.Same(first.Summary, first.Messages[1]);
        Assert.Equal(ChatRole.System, first.Summary!.Role);
        Assert.StartsWith(ConversationReducer.SummaryHeader + "The user asked", first.Summary.Text, StringComparison.Ordinal);
        Assert.Equal(first.DroppedMessages, first.Summary.AdditionalProperties![ConversationReducer.SummaryMarkerKey]);
        Assert.True(Count(first.Messages) <= 700);
        Assert.Equal(Count(first.Messages), first.TokensAfter);
        // The summary call: limited, tagged as the summary prompt, made for the conversation's user and scope.
        var (sent, summaryOptions) = summarizer.Received[0];
        Assert.Equal(100, summaryOptions!.MaxOutputTokens);
        Assert.Equal(Model, summaryOptions.ModelId);
        var meta = summaryOptions.GetPromptOps()!;
        Assert.Equal((ConversationReducer.SummaryPromptId, "summary", "u1", "t1", "u1", "support-chat"), (meta.PromptId, meta.Task, meta.UserId, meta.TenantId, meta.CacheScope, meta.Endpoint));
        Assert.Contains("Question 1: what is the delivery status of my order number 1001", sent[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_cut_summarizes_the_previous_summary_and_the_newly_dropped_turns_only()
    {
        var summarizer = new RecordingChatClient(answer: "Orders so far are in transit.");
        var reducer = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 700, Strategy = ConversationBudgetStrategy.Summarize, SummaryMaxOutputTokens = 100 });

        await reducer.ReduceAsync(History(20), Options, summarizer);
        await reducer.ReduceAsync(History(40), Options, summarizer);

        Assert.Equal(2, summarizer.Calls);
        var second = summarizer.Received[1].Messages[^1].Text;
        Assert.StartsWith("Summary so far:\nOrders so far are in transit.", second, StringComparison.Ordinal);
        Assert.DoesNotContain("Question 1:", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_summary_longer_than_its_limit_is_cut_so_the_budget_holds_and_an_empty_one_drops_the_turns()
    {
        var verbose = new RecordingChatClient(answer: string.Join(" ", Enumerable.Repeat("The user asked many things about many orders.", 100)));
        var options = new ConversationBudgetOptions { MaxInputTokens = 700, Strategy = ConversationBudgetStrategy.Summarize, SummaryMaxOutputTokens = 50 };

        var cut = await new ConversationReducer(options).ReduceAsync(History(20), Options, verbose);
        var empty = await new ConversationReducer(options).ReduceAsync(History(20), Options, new RecordingChatClient(answer: "  "));

        Assert.True(Count(cut.Messages) <= 700);
        Assert.True(TokenCounters.ForModel(Model).CountTokens(cut.Summary!.Text[ConversationReducer.SummaryHeader.Length..]) <= 50);
        Assert.Equal(SummarySource.Empty, empty.SummarySource);
        Assert.Null(empty.Summary);
        Assert.DoesNotContain(empty.Messages, m => m.AdditionalProperties?.ContainsKey(ConversationReducer.SummaryMarkerKey) == true);
        Assert.True(Count(empty.Messages) <= 700);
    }

    [Fact]
    public async Task As_an_IChatReducer_it_plugs_into_UseChatReducer_and_needs_a_summarizer_to_summarize()
    {
        var provider = new RecordingChatClient();
        var history = History(20);
        using var client = new ChatClientBuilder(provider)
            .UseChatReducer(new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 600, TokenizerModelId = Model }))
            .Build();

        await client.GetResponseAsync(history, Options);

        Assert.True(Count(provider.Received[0].Messages) <= 600);
        Assert.Same(history[0], provider.Received[0].Messages[0]);
        IChatReducer summarizing = new ConversationReducer(new ConversationBudgetOptions { MaxInputTokens = 600, Strategy = ConversationBudgetStrategy.Summarize });
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => summarizing.ReduceAsync(history, CancellationToken.None));
        Assert.Contains("ConversationBudgetOptions.Summarizer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_requests_are_cut_too_and_drops_are_counted()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        using var dropped = new MetricCollector<long>(meters, PromptOpsMetrics.MeterName, "promptops.conversation.dropped_messages");
        using var tokens = new MetricCollector<long>(meters, PromptOpsMetrics.MeterName, "promptops.conversation.input_tokens");
        var provider = new RecordingChatClient();
        var history = History(20);
        using var client = new ConversationBudgetChatClient(provider, new ConversationBudgetOptions { MaxInputTokens = 600 }, new ConversationMetrics(meters));

        await foreach (var _ in client.GetStreamingResponseAsync(history, Options))
        {
        }

        var sent = provider.Received[0].Messages;
        Assert.True(Count(sent) <= 600);
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal(history.Count - sent.Count, measurement.Value);
        Assert.Equal("drop_oldest", measurement.Tags["promptops.conversation.strategy"]);
        var recorded = Assert.Single(tokens.GetMeasurementSnapshot());
        Assert.Equal(Count(sent), recorded.Value);
        Assert.Equal(true, recorded.Tags["promptops.conversation.reduced"]);
    }

    [Fact]
    public async Task Registered_options_are_the_starting_point_and_function_invocation_outside_the_layer_sends_each_round_cut()
    {
        // UseFunctionInvocation before UseConversationBudget: every round trip of a tool call goes through the budget.
        using var services = new ServiceCollection().Configure<ConversationBudgetOptions>(o => o.MaxInputTokens = 700).BuildServiceProvider();
        var provider = new RecordingChatClient();
        var turn = 0;
        provider.Respond = (messages, _, _) => Task.FromResult(new ChatResponse(messages[^1].Role == ChatRole.User
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"call-{++turn}", "lookup_order", new Dictionary<string, object?> { ["order"] = turn })])
            : new ChatMessage(ChatRole.Assistant, $"Order {turn} is in transit and arrives in {turn % 5 + 1} days; you can follow it on the carrier's page.")));
        using var client = new ChatClientBuilder(provider)
            .UseFunctionInvocation()
            .UseConversationBudget(configure: null)
            .Build(services);
        var options = new ChatOptions { ModelId = Model, Tools = [AIFunctionFactory.Create((int order) => $"order {order}: in transit with DHL", "lookup_order")] };
        var history = new List<ChatMessage> { new(ChatRole.System, "You look up orders.") };

        for (var i = 1; i <= 20; i++)
        {
            history.Add(new ChatMessage(ChatRole.User, $"Question {i}: what is the delivery status of my order number {1000 + i}?"));
            history.AddMessages(await client.GetResponseAsync(history, options));
        }

        Assert.Equal(40, provider.Calls);
        Assert.True(RequestTokens.Count(history, options, Model) > 1_400, "the history outgrew the budget twice");
        foreach (var (sent, sentOptions) in provider.Received)
        {
            Assert.True(RequestTokens.Count(sent, sentOptions, Model) <= 700);
            Assert.Same(history[0], sent[0]);
            var calls = sent.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet();
            Assert.True(calls.SetEquals(sent.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId)));
        }
    }

    [Fact]
    public async Task The_layer_summarizes_through_its_inner_client_counts_where_summaries_came_from_and_logs_the_call()
    {
        var meters = _services.GetRequiredService<IMeterFactory>();
        using var summaries = new MetricCollector<long>(meters, PromptOpsMetrics.MeterName, "promptops.conversation.summaries");
        var logger = new FakeLogger<ConversationBudgetChatClient>();
        var provider = new RecordingChatClient(answer: "Earlier: orders 1001 to 1010 are in transit.");
        using var client = new ConversationBudgetChatClient(provider,
            new ConversationBudgetOptions { MaxInputTokens = 700, Strategy = ConversationBudgetStrategy.Summarize, SummaryMaxOutputTokens = 100 },
            new ConversationMetrics(meters), logger);
        var history = History(20);

        await client.GetResponseAsync(history, Options);
        history.Add(new ChatMessage(ChatRole.Assistant, "It is in transit."));
        history.Add(new ChatMessage(ChatRole.User, "Thanks!"));
        await client.GetResponseAsync(history, Options);

        // The inner client answered the summary call and both turns; the second turn reused the summary.
        Assert.Equal(3, provider.Calls);
        Assert.Equal(ConversationReducer.SummaryPromptId, provider.Received[0].Options.GetPromptOps()?.PromptId);
        Assert.Equal(["called", "remembered"], summaries.GetMeasurementSnapshot().Select(m => (string)m.Tags["promptops.conversation.summary_source"]!));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 3302);
    }
}

