using System.Globalization;
using Microsoft.Extensions.AI;
using PromptOps.Conversations;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tests.Shared;
using PromptOps.Tokens;
using PromptOps.Usage;
using Xunit.Abstractions;

namespace PromptOps.Tests.Conversations;

/// <summary>
/// Issue #18's goal: a 50-turn conversation, with a tool call every fourth turn, stays under its token budget with its system
/// prompt first and every tool call/result pair intact — through a provider double that records each request and reports the
/// request's own token count as its usage, so the usage ledger shows the input tokens per turn.
/// </summary>
public sealed class ConversationBudgetGoalTests(ITestOutputHelper output)
{
    private const string Model = "gpt-4o-mini";
    private const int Budget = 1_500;
    private const int Turns = 50;
    private const string SystemPrompt = "You are the support assistant of an online shop. Answer the customer's questions about orders, deliveries and refunds. "
                                        + "Use the order lookup tool when the customer names an order.";

    [Theory]
    [InlineData(ConversationBudgetStrategy.DropOldest)]
    [InlineData(ConversationBudgetStrategy.Summarize)]
    public async Task A_50_turn_conversation_stays_under_its_budget_with_its_system_prompt_and_every_tool_pair(ConversationBudgetStrategy strategy)
    {
        var provider = new ConversationProvider();
        var sink = new InMemoryUsageSink();
        using var client = new ChatClientBuilder(provider)
            .UseConversationBudget(Budget, o => o.Strategy = strategy)
            .Use(inner => new UsageMeterChatClient(inner, new PriceCatalog(), [sink]))
            .Build();

        var history = await Converse(client);

        var requests = provider.Conversation;
        Assert.True(requests.Count > Turns, "every turn is a request, and a tool turn two");
        var reduced = 0;
        foreach (var (messages, options) in requests)
        {
            var whole = HistoryUpTo(history, messages); // what the caller sent
            var tokens = RequestTokens.Count(messages, options, Model);
            Assert.True(tokens <= Budget, $"a request of {tokens} tokens went out, over the budget of {Budget}");
            Assert.Same(history[0], messages[0]); // the system prompt, first
            Assert.Contains(whole.Last(m => m.Role == ChatRole.User), messages); // the latest user message
            AssertNoOrphans(messages);
            if (!messages.SequenceEqual(whole)) reduced++;
        }

        Assert.True(reduced > Turns / 2, $"only {reduced} requests were cut: the scenario does not test the budget");
        var unreduced = requests.Select(r => RequestTokens.Count(HistoryUpTo(history, r.Messages), r.Options, Model)).Max();
        Assert.True(unreduced > 3 * Budget, $"the whole history reached only {unreduced} tokens");
        if (strategy == ConversationBudgetStrategy.Summarize)
        {
            var summarized = requests.Where(r => r.Messages.Any(m => m.AdditionalProperties?.ContainsKey(ConversationReducer.SummaryMarkerKey) == true)).ToList();
            Assert.NotEmpty(summarized);
            Assert.All(summarized, r => Assert.True(r.Messages[1].AdditionalProperties!.ContainsKey(ConversationReducer.SummaryMarkerKey), "the summary follows the system prompt"));
            // Blocks keep the cut in place for several turns: far fewer summary calls than cut requests, each metered.
            Assert.InRange(provider.SummaryCalls, 1, reduced / 2);
            Assert.Equal(provider.SummaryCalls, sink.Snapshot().Count(r => r.PromptId == ConversationReducer.SummaryPromptId));
        }
        else
        {
            Assert.Equal(0, provider.SummaryCalls);
        }

        Assert.Equal(provider.Requests, sink.Snapshot().Count);
    }

    [Fact]
    public async Task The_caller_history_is_not_changed_and_the_same_conversation_sends_the_same_requests()
    {
        async Task<List<string>> Run()
        {
            var provider = new ConversationProvider();
            using var client = new ChatClientBuilder(provider).UseConversationBudget(Budget, o => o.Strategy = ConversationBudgetStrategy.Summarize).Build();
            var history = await Converse(client);
            Assert.Equal(Turns, history.Count(m => m.Role == ChatRole.User)); // the caller's list has every message it added
            Assert.Equal(SystemPrompt, history[0].Text);
            return provider.Conversation.Select(r => string.Join("|", r.Messages.Select(m => m.Role + ":" + m.Text + ":" + m.Contents.Count))).ToList();
        }

        Assert.Equal(await Run(), await Run());
    }

    [Fact]
    public async Task Input_tokens_per_turn_with_and_without_the_budget()
    {
        // The README's table (figures:conversation-budget): printed tagged for benchmarks/figures.sh, and checked against the README.
        var rows = new List<string>();
        var table = new List<string> { "| | last turn | largest request | all 50 turns | cost |", "|---|---:|---:|---:|---:|" };
        long? withoutTotal = null;
        foreach (var strategy in new ConversationBudgetStrategy?[] { null, ConversationBudgetStrategy.DropOldest, ConversationBudgetStrategy.Summarize })
        {
            var provider = new ConversationProvider();
            var sink = new InMemoryUsageSink();
            var builder = new ChatClientBuilder(provider);
            if (strategy is { } s) builder.UseConversationBudget(Budget, o => o.Strategy = s);
            using var client = builder.Use(inner => new UsageMeterChatClient(inner, new PriceCatalog(), [sink])).Build();
            await Converse(client);

            var records = sink.Snapshot();
            var conversation = records.Where(r => r.PromptId != ConversationReducer.SummaryPromptId).ToList();
            var total = records.Sum(r => r.InputTokens);
            withoutTotal ??= total;
            var last = conversation[^1].InputTokens;
            var cost = records.Sum(r => r.CostUsd ?? 0m);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"{(strategy?.ToString() ?? "no budget"),-10} requests {records.Count,3} (summary calls {records.Count - conversation.Count}), input tokens: last turn {last,5}, max {conversation.Max(r => r.InputTokens),5}, all {total,7} ({100.0 * total / withoutTotal.Value,5:0.0}%), cost ${cost:0.000000}"));
            var label = strategy switch
            {
                null => "whole history every turn",
                ConversationBudgetStrategy.DropOldest => $"`UseConversationBudget({Budget:#_###})` (drop oldest)",
                _ => $"… `Strategy = {strategy}` ({records.Count - conversation.Count} summary calls included)",
            };
            var share = strategy is null ? "" : string.Create(CultureInfo.InvariantCulture, $" ({100.0 * total / withoutTotal.Value:0.0}%)");
            table.Add(string.Create(CultureInfo.InvariantCulture, $"| {label} | {last:N0} | {conversation.Max(r => r.InputTokens):N0} | {total:N0}{share} | ${cost:0.000000} |"));
            if (strategy is null) Assert.True(last > 3 * Budget);
            else Assert.True(conversation.Max(r => r.InputTokens) <= Budget);
        }

        foreach (var row in rows) output.WriteLine(row);
        ReadmeFigure.Print(output, "conversation-budget", [.. table.Select((line, i) => (i.ToString("D2", CultureInfo.InvariantCulture), line))]);
        ReadmeFigure.AssertInReadme("conversation-budget", table);
    }

    /// <summary>
    /// The caller: 50 user turns on one growing list; every fourth answer is a tool call, answered with its result and sent
    /// again, as Microsoft.Extensions.AI's function invocation does. Returns the whole history.
    /// </summary>
    private static async Task<List<ChatMessage>> Converse(IChatClient client)
    {
        var options = new ChatOptions { ModelId = Model, MaxOutputTokens = 200 };
        var history = new List<ChatMessage> { new(ChatRole.System, SystemPrompt) };
        for (var turn = 1; turn <= Turns; turn++)
        {
            history.Add(new ChatMessage(ChatRole.User, Question(turn)));
            var response = await client.GetResponseAsync(history, options);
            history.AddMessages(response);
            foreach (var call in response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList())
            {
                history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, OrderStatus(turn))]));
                response = await client.GetResponseAsync(history, options);
                history.AddMessages(response);
            }
        }

        return history;
    }

    private static string Question(int turn) => string.Create(CultureInfo.InvariantCulture,
        $"Turn {turn}: my order {1000 + turn} has not arrived yet, it was supposed to come on day {turn % 28 + 1}. Can you tell me where it is, and whether I can still change the delivery address to my office?");

    private static string OrderStatus(int turn) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"order\":{1000 + turn},\"status\":\"in transit\",\"carrier\":\"DHL\",\"eta_days\":{turn % 5 + 1},\"address_change\":\"allowed until dispatch\"}}");

    private static void AssertNoOrphans(IList<ChatMessage> messages)
    {
        var calls = messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.CallId).ToHashSet();
        var results = messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId).ToHashSet();
        Assert.True(calls.SetEquals(results), $"calls [{string.Join(", ", calls)}] and results [{string.Join(", ", results)}] do not pair");
    }

    /// <summary>The caller's history as it was when the request was made (up to and including what the request ends with).</summary>
    private static List<ChatMessage> HistoryUpTo(List<ChatMessage> history, IList<ChatMessage> sent) =>
        history.Take(history.IndexOf(sent[^1]) + 1).ToList();

    /// <summary>
    /// The provider double: answers a user message with a tool call on every fourth turn and with text otherwise, a tool
    /// result with text, and a summary request with a short summary; reports the request's own token count as its usage.
    /// </summary>
    private sealed class ConversationProvider : IChatClient
    {
        private int _turn;

        public List<(IList<ChatMessage> Messages, ChatOptions? Options)> Conversation { get; } = [];

        public int SummaryCalls { get; private set; }

        public int Requests { get; private set; }

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            Requests++;
            ChatMessage answer;
            if (options.GetPromptOps()?.PromptId == ConversationReducer.SummaryPromptId)
            {
                SummaryCalls++;
                var orders = string.Join(", ", list[^1].Text.Split(' ').Where(w => w.Length == 4 && w.StartsWith('1')).Distinct(StringComparer.Ordinal));
                answer = new ChatMessage(ChatRole.Assistant, $"The customer asked about deliveries of orders {orders}; all are in transit with DHL and the address can change until dispatch.");
            }
            else
            {
                var last = list[^1];
                Conversation.Add((list, options));
                if (last.Role == ChatRole.User && ++_turn % 4 == 0)
                {
                    answer = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(string.Create(CultureInfo.InvariantCulture, $"call-{_turn}"), "lookup_order",
                        new Dictionary<string, object?> { ["order"] = 1000 + _turn })]);
                }
                else
                {
                    answer = new ChatMessage(ChatRole.Assistant, string.Create(CultureInfo.InvariantCulture,
                        $"Your order is in transit with DHL and should arrive within {_turn % 5 + 1} days. You can still change the delivery address until it is dispatched: open the order page, choose 'Change address' and enter your office address. Is there anything else I can help you with today?"));
                }
            }

            var input = RequestTokens.Count(list, options, Model);
            return Task.FromResult(new ChatResponse(answer)
            {
                ModelId = Model,
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = 60, TotalTokenCount = input + 60 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The goal scenario does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
