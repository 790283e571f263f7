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
        Assert.Equal(limit, r.Usage!.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, r.FinishReason);
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
    public async Task Only_the_models_named_off_label_misread_and_the_same_requests_every_time()
    {
        using var sim = new SimulatedChatClient { OffLabelModels = new HashSet<string> { "gpt-4o-mini" }, OffLabelShare = 0.5 };
        const string System = "Classify.\n\nAnswer with exactly one of: Billing, Technical, Account.";
        var labels = new[] { "Billing", "Technical", "Account" };
        var misread = 0;
        for (var i = 0; i < 40; i++)
        {
            ChatMessage[] ask = [new(ChatRole.System, System), new(ChatRole.User, $"Ticket {i}: my billing is wrong")];
            var cheap = (await sim.GetResponseAsync(ask, new ChatOptions { ModelId = "gpt-4o-mini" })).Text;
            var other = (await sim.GetResponseAsync(ask, new ChatOptions { ModelId = "claude-haiku-4-5" })).Text;
            Assert.Contains(other, labels); // a model not named answers with a label
            Assert.Equal(cheap, (await sim.GetResponseAsync(ask, new ChatOptions { ModelId = "gpt-4o-mini" })).Text); // deterministic
            if (!labels.Contains(cheap)) misread++;
        }

        Assert.InRange(misread, 10, 30); // about half
        using var plain = new SimulatedChatClient();
        Assert.Equal("Billing", (await plain.GetResponseAsync([new(ChatRole.System, System), new(ChatRole.User, "my billing is wrong")], new ChatOptions { ModelId = "gpt-4o-mini" })).Text);
    }

    [Fact]
    public async Task A_yes_no_prompt_gets_yes_or_no_and_free_text_stays_labelled_simulated()
    {
        using var sim = new SimulatedChatClient();
        var r = await sim.GetResponseAsync([new(ChatRole.System, "Is the ticket urgent?\n\nAnswer yes or no."), new(ChatRole.User, "Server down")]);
        Assert.Contains(r.Text, new[] { "yes", "no" });
        Assert.StartsWith("[simulated", (await sim.GetResponseAsync([new(ChatRole.System, "Summarize."), new(ChatRole.User, "Server down")])).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_length_request_the_answer_has_its_natural_length_and_a_limit_only_cuts_it()
    {
        using var sim = new SimulatedChatClient();
        var free = await sim.GetResponseAsync(Ask("Where is my parcel?"), new ChatOptions { ModelId = "gpt-4o-mini" });
        Assert.Equal(SimulatedChatClient.DefaultAnswerLength, free.Usage!.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, free.FinishReason);

        // A limit above the natural length changes nothing: a limit does not make a model brief.
        var roomy = await sim.GetResponseAsync(Ask("Where is my parcel?"), new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 500 });
        Assert.Equal(free.Text, roomy.Text);
        Assert.Equal(ChatFinishReason.Stop, roomy.FinishReason);

        // A limit below it cuts the same answer off mid-sentence, with finish reason length.
        var cut = await sim.GetResponseAsync(Ask("Where is my parcel?"), new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 50 });
        Assert.Equal(50, cut.Usage!.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.StartsWith(cut.Text, free.Text, StringComparison.Ordinal);

        using var longer = new SimulatedChatClient(answerLength: 300);
        Assert.Equal(300, (await longer.GetResponseAsync(Ask("Where is my parcel?"))).Usage!.OutputTokenCount);
    }

    [Theory]
    [InlineData("Answer in at most 12 words.", 12)]
    [InlineData("Answer in at most 30 words.", 30)]
    [InlineData("Reply in one word.", 1)]
    [InlineData("Answer in three words.", 3)]
    [InlineData("Use no more than 20 words.", 20)]
    public async Task A_word_limit_in_a_message_is_kept(string instruction, int words)
    {
        using var sim = new SimulatedChatClient();
        ChatMessage[] messages = [new(ChatRole.System, "Answer the customer. " + instruction), new(ChatRole.User, "Where is my parcel?")];
        var r = await sim.GetResponseAsync(messages, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 200 });
        var count = r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(count, 1, words);
        Assert.True(count >= words - 1, $"'{r.Text}' is much shorter than the {words} words asked");
        Assert.Equal(ChatFinishReason.Stop, r.FinishReason);
        Assert.True(r.Usage!.OutputTokenCount < SimulatedChatClient.DefaultAnswerLength);
    }

    [Theory]
    [InlineData("Answer in at most 2 sentences.", 2)]
    [InlineData("Answer the question from the help centre, in two sentences at most.", 2)]
    [InlineData("Answer in one sentence.", 1)]
    [InlineData("Write no more than 4 sentences.", 4)]
    public async Task A_sentence_limit_in_a_message_is_kept(string system, int sentences)
    {
        using var sim = new SimulatedChatClient();
        var r = await sim.GetResponseAsync([new(ChatRole.System, system), new(ChatRole.User, "How do I reset my password?")]);
        Assert.Equal(sentences, r.Text.Count(c => c == '.'));
        Assert.EndsWith(".", r.Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, r.FinishReason);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(12)]
    [InlineData(1)]
    public async Task A_japanese_character_limit_is_kept(int chars)
    {
        using var sim = new SimulatedChatClient();
        var r = await sim.GetResponseAsync([new(ChatRole.System, $"{chars}文字以内で答えてください。"), new(ChatRole.User, "荷物はどこですか？")]);
        Assert.InRange(r.Text.Length, 1, chars);
        Assert.EndsWith("。", r.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asked_length_beyond_the_limit_is_still_cut_off()
    {
        using var sim = new SimulatedChatClient();
        var r = await sim.GetResponseAsync([new(ChatRole.System, "Answer in at most 100 words."), new(ChatRole.User, "Tell me about the refund.")],
            new ChatOptions { MaxOutputTokens = 20 });
        Assert.Equal(20, r.Usage!.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Length, r.FinishReason);
    }

    [Fact]
    public async Task Answers_with_one_right_answer_do_not_depend_on_the_model()
    {
        using var sim = new SimulatedChatClient();
        string[] models = ["gpt-4o-mini", "claude-sonnet-4-5", "llama3.1", "gemini-2.5-flash"];
        async Task<string[]> AllAsync(ChatMessage[] messages) =>
            await Task.WhenAll(models.Select(async m => (await sim.GetResponseAsync(messages, new ChatOptions { ModelId = m })).Text));

        // Labels with no word of the ticket in them: the hash picks one, and it is the same for every model.
        for (var i = 0; i < 8; i++)
        {
            var label = await AllAsync([new(ChatRole.System, "Classify.\n\nAnswer with exactly one of: Billing, Technical, Account, Shipping, Other."), new(ChatRole.User, $"Hello {i}?")]);
            Assert.Single(label.Distinct());
            var yesNo = await AllAsync([new(ChatRole.System, "Urgent?\n\nAnswer yes or no."), new(ChatRole.User, $"Hello {i}?")]);
            Assert.Single(yesNo.Distinct());
        }

        var number = await AllAsync([new(ChatRole.System, "How many items are in the order?\n\nAnswer with a number only."), new(ChatRole.User, "I ordered 3 chairs for order 99.")]);
        Assert.All(number, n => Assert.Equal("3", n));

        // Free text carries the model in its label; the rest of the answer is the same.
        var free = await AllAsync([.. Ask("Where is my parcel?")]);
        Assert.Single(free.Select(t => t[(t.IndexOf(']', StringComparison.Ordinal) + 1)..][..40]).Distinct());
    }
}
