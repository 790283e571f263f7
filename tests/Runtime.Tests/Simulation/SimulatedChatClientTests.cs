using Microsoft.Extensions.AI;
using PromptOps.Simulation;
using PromptOps.Tokens;

namespace PromptOps.Tests.Simulation;

public class SimulatedChatClientTests
{
    private static List<ChatMessage> Ask(string q) => [new(ChatRole.System, "Answer briefly."), new(ChatRole.User, q)];

    [Fact]
    public async Task Answers_are_deterministic_labelled_and_priced_like_the_requested_model()
    {
        using var sim = new SimulatedChatClient();
        var a = await sim.GetResponseAsync(Ask("How do I reset my password?"), new ChatOptions { ModelId = "gpt-4o" });
        var b = await sim.GetResponseAsync(Ask("How do I reset my password?"), new ChatOptions { ModelId = "gpt-4o" });
        var c = await sim.GetResponseAsync(Ask("Where is my parcel?"), new ChatOptions { ModelId = "gpt-4o" });

        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, c.Text);
        Assert.StartsWith("[simulated gpt-4o]", a.Text, StringComparison.Ordinal);
        Assert.Equal("gpt-4o", a.ModelId);
        Assert.Equal(3, sim.CallCount);

        // Input tokens are the exact o200k count of the messages plus the chat framing.
        var expectedInput = 3 + 4 + TiktokenTokenCounter.O200k.CountTokens("Answer briefly.") + 4 + TiktokenTokenCounter.O200k.CountTokens("How do I reset my password?");
        Assert.Equal(expectedInput, a.Usage!.InputTokenCount);
        Assert.Equal(TiktokenTokenCounter.O200k.CountTokens(a.Text), a.Usage.OutputTokenCount);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public async Task Output_never_exceeds_MaxOutputTokens(int limit)
    {
        using var sim = new SimulatedChatClient(answerLength: 400);
        var r = await sim.GetResponseAsync(Ask("Tell me everything."), new ChatOptions { MaxOutputTokens = limit });
        Assert.InRange(r.Usage!.OutputTokenCount!.Value, 1, limit);
    }

    [Fact]
    public async Task Streaming_gives_the_same_text_and_usage()
    {
        using var sim = new SimulatedChatClient(latency: TimeSpan.FromMilliseconds(1));
        var whole = await sim.GetResponseAsync(Ask("q"));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in sim.GetStreamingResponseAsync(Ask("q"))) updates.Add(u);
        var streamed = updates.ToChatResponse();
        Assert.Equal(whole.Text, streamed.Text);
        Assert.Equal(whole.Usage!.OutputTokenCount, streamed.Usage!.OutputTokenCount);
        Assert.True(updates.Count > 2);
    }

    [Fact]
    public async Task Cancellation_and_bad_arguments_are_honoured()
    {
        using var sim = new SimulatedChatClient(latency: TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var call = sim.GetResponseAsync(Ask("q"), cancellationToken: cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Throws<ArgumentException>(() => new SimulatedChatClient(" "));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulatedChatClient(answerLength: 0));
    }

    [Fact]
    public async Task A_label_constrained_prompt_gets_a_label_matching_the_user_text()
    {
        using var sim = new SimulatedChatClient();
        const string System = "Classify the support ticket.\n\nAnswer with exactly one of: Billing, Technical issue, Account.";
        ChatMessage[] billing = [new(ChatRole.System, System), new(ChatRole.User, "My billing statement shows a double charge")];
        ChatMessage[] technical = [new(ChatRole.System, System), new(ChatRole.User, "A technical problem: the app crashes")];
        Assert.Equal("Billing", (await sim.GetResponseAsync(billing, new ChatOptions { MaxOutputTokens = 10 })).Text);
        Assert.Equal("Technical issue", (await sim.GetResponseAsync(technical)).Text);

        // No label word in the text: still one of the labels, the same one every time.
        ChatMessage[] vague = [new(ChatRole.System, System), new(ChatRole.User, "Hello?")];
        var first = (await sim.GetResponseAsync(vague)).Text;
        Assert.Contains(first, new[] { "Billing", "Technical issue", "Account" });
        Assert.Equal(first, (await sim.GetResponseAsync(vague)).Text);
    }

    [Fact]
    public async Task A_yes_no_prompt_gets_yes_or_no_and_free_text_stays_labelled_simulated()
    {
        using var sim = new SimulatedChatClient();
        var r = await sim.GetResponseAsync([new(ChatRole.System, "Is the ticket urgent?\n\nAnswer yes or no."), new(ChatRole.User, "Server down")]);
        Assert.Contains(r.Text, new[] { "yes", "no" });
        Assert.StartsWith("[simulated", (await sim.GetResponseAsync([new(ChatRole.System, "Summarize."), new(ChatRole.User, "Server down")])).Text, StringComparison.Ordinal);
    }
}
