using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Generators.Tests.Behaviour;

/// <summary>Generated typed clients behind <c>UsePromptOps()</c> when the cheap model's reply does not parse.</summary>
public class EscalationBehaviourTests
{
    /// <summary>A provider whose <paramref name="good"/> models answer <paramref name="answer"/> and the others chatter.</summary>
    private sealed class Provider(string answer, params string[] good) : IChatClient
    {
        public List<string?> Models { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Models.Add(options?.ModelId);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, good.Contains(options?.ModelId) ? answer : "Hard to say, it depends."))
            {
                ModelId = options?.ModelId,
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 30, OutputTokenCount = 5 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static (IChatClient Client, InMemoryUsageSink Sink) Pipeline(IChatClient provider)
    {
        var sink = new InMemoryUsageSink();
        var client = new ChatClientBuilder(provider).UsePromptOps().Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());
        return (client, sink);
    }

    [Fact]
    public async Task A_generated_enum_method_escalates_a_reply_that_does_not_parse_and_starts_there_next_time()
    {
        var provider = new Provider("Technical issue", "claude-haiku-4-5");
        var (client, sink) = Pipeline(provider);
        var triage = new TicketTriage(client);

        Assert.Equal(TicketCategory.Technical, await triage.ClassifyAsync("The app crashes on start"));
        Assert.Equal(TicketCategory.Technical, await triage.ClassifyAsync("The app crashes on login"));

        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5", "claude-haiku-4-5"], provider.Models);
        var records = sink.Snapshot();
        Assert.Equal([1, 0], records.Select(r => r.Escalations));
        Assert.Equal([true, false], records.Select(r => r.Anomalies.HasFlag(UsageAnomalies.ReplyInvalid)));
    }

    [Fact]
    public async Task Bool_and_number_methods_escalate_and_the_last_reply_that_fails_throws()
    {
        var yes = new Provider("Yes", "gpt-4.1");
        Assert.True(await new TicketTriage(Pipeline(yes).Client).IsUrgentAsync("Server down"));
        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5", "gpt-4.1"], yes.Models); // yes_no starts on fast_cheap; the top is high_quality

        var never = new Provider("12");
        var (client, sink) = Pipeline(never);
        var e = await Assert.ThrowsAsync<PromptReplyException>(() => new TicketTriage(client).CountAsync(new DateTime(2026, 1, 1), 3));
        Assert.Equal("Hard to say, it depends.", e.RawReply);
        Assert.Equal(["claude-haiku-4-5", "gpt-4.1"], never.Models); // short_answer starts on balanced
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(1, record.Escalations);
        Assert.Equal([ModelTier.Balanced, ModelTier.HighQuality], record.Attempts!.Select(a => a.Tier!.Value));
    }

    [Fact]
    public async Task A_number_outside_its_range_is_escalated_and_the_prompt_states_the_range()
    {
        var provider = new Provider("4", "gpt-4.1"); // the others answer with chatter …
        var inner = new RangeProvider(provider);      // … replaced by an out-of-range number
        var (client, sink) = Pipeline(inner);

        Assert.Equal(4, await new RatingPrompts(client).RateAsync("Thanks, all fixed!"));

        Assert.Equal(["claude-haiku-4-5", "gpt-4.1"], provider.Models);
        Assert.Equal("Answer with a number from 1 to 5 only.", inner.System);
        var record = Assert.Single(sink.Snapshot());
        Assert.Contains("outside the range 1 to 5", record.Attempts![0].Reason, StringComparison.Ordinal);

        var never = new RangeProvider(new Provider("9"));
        var e = await Assert.ThrowsAsync<PromptReplyException>(() => new RatingPrompts(Pipeline(never).Client).RateAsync("?"));
        Assert.Contains("outside the range 1 to 5", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Turns the chatter of <see cref="Provider"/> into "7" (a number, but out of range) and records the system prompt.</summary>
    private sealed class RangeProvider(Provider inner) : IChatClient
    {
        public string? System { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            System = list.FirstOrDefault(m => m.Role == ChatRole.System)?.Text;
            var response = await inner.GetResponseAsync(list, options, cancellationToken);
            return response.Text.StartsWith("Hard", StringComparison.Ordinal)
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "7")) { ModelId = response.ModelId, Usage = response.Usage, FinishReason = ChatFinishReason.Stop }
                : response;
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Text_methods_are_not_validated()
    {
        var provider = new Provider("unused");
        var (client, sink) = Pipeline(provider);
        Assert.Equal("Hard to say, it depends.", await new LengthPrompts(client).AnswerAsync("Why?"));
        Assert.Equal(["claude-haiku-4-5"], provider.Models);
        Assert.Equal(UsageAnomalies.None, Assert.Single(sink.Snapshot()).Anomalies);
    }
}
