using Microsoft.Extensions.AI;
using PromptOps.Caching;

namespace PromptOps.Generators.Tests.Behaviour;

/// <summary>Generated clients behind <c>UsePromptOps()</c> when the provider cuts a reply off at the output limit.</summary>
public class TruncationBehaviourTests
{
    /// <summary>A provider that answers <paramref name="answer"/> in full when the limit allows <paramref name="needs"/> tokens, else cut off.</summary>
    private sealed class Provider(string answer, int needs) : IChatClient
    {
        public List<ChatOptions?> Received { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Received.Add(options);
            var limit = options?.MaxOutputTokens ?? int.MaxValue;
            var cut = limit < needs;
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, cut ? answer[..Math.Min(answer.Length, 4)] : answer))
            {
                ModelId = options?.ModelId ?? "gpt-4o-mini",
                FinishReason = cut ? ChatFinishReason.Length : ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = Math.Min(limit, needs) },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_cut_off_text_answer_is_returned_flagged_and_not_cached()
    {
        var provider = new Provider("Paris is the capital of France, and it has been since", needs: 80);
        using var chat = provider.AsBuilder().UsePromptOps().Build();
        var answers = new ShortAnswers(chat);

        var first = await answers.AnswerAsync("What is the capital of France?");
        var second = await answers.AnswerAsync("What is the capital of France?");

        Assert.True(first.Truncated);
        Assert.Equal("Pari", first.Value);
        Assert.True(second.Truncated);
        Assert.False(second.IsCacheHit); // the cut-off answer was not cached
        Assert.Equal([50, 50], provider.Received.Select(o => o!.MaxOutputTokens));
    }

    [Fact]
    public async Task A_whole_text_answer_is_not_flagged_and_is_cached()
    {
        var provider = new Provider("Paris.", needs: 5);
        using var chat = provider.AsBuilder().UsePromptOps().Build();
        var answers = new ShortAnswers(chat);

        var first = await answers.AnswerAsync("What is the capital of France?");
        var second = await answers.AnswerAsync("What is the capital of France?");

        Assert.False(first.Truncated);
        Assert.Equal((false, true), (second.Truncated, second.IsCacheHit));
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task The_throw_policy_throws_with_the_partial_text()
    {
        var provider = new Provider("Paris is the capital of France, and it has been since", needs: 80);
        using var chat = provider.AsBuilder().UsePromptOps().Build();

        var e = await Assert.ThrowsAsync<PromptTruncatedException>(() => new ShortAnswers(chat).AnswerOrThrowAsync("What is the capital of France?"));

        Assert.Equal("Pari", e.PartialText);
        Assert.Equal("PromptOps.Generators.Tests.Behaviour.ShortAnswers.AnswerOrThrowAsync", e.PromptId);
        Assert.Equal(50, e.MaxOutputTokens);
    }

    [Fact]
    public async Task A_cut_off_enum_reply_is_retried_once_with_twice_the_limit_and_the_whole_answer_is_cached()
    {
        var provider = new Provider("Technical issue", needs: 15);
        using var chat = provider.AsBuilder().UsePromptOps().Build();
        var triage = new TicketTriage(chat);

        Assert.Equal(TicketCategory.Technical, await triage.ClassifyAsync("The app crashes on start"));
        Assert.Equal(TicketCategory.Technical, await triage.ClassifyAsync("The app crashes on start"));

        Assert.Equal([10, 20], provider.Received.Select(o => o!.MaxOutputTokens)); // the second call was a cache hit
        Assert.True(provider.Received[0]!.GetPromptOps()!.StructuredReply);
    }

    [Fact]
    public async Task A_cut_off_json_reply_is_retried_and_the_result_is_not_flagged()
    {
        var provider = new Provider("""{"number":"INV-1","total":12.5}""", needs: 200);
        using var chat = provider.AsBuilder().UsePromptOps().Build();

        var result = await new TicketTriage(chat).ExtractAsync("invoice", CancellationToken.None);

        Assert.Equal(new Invoice("INV-1", 12.5m), result.Value);
        Assert.False(result.Truncated);
        Assert.Equal([120, 240], provider.Received.Select(o => o!.MaxOutputTokens));
    }

    [Fact]
    public async Task A_cut_off_typed_reply_that_cannot_be_read_throws_PromptTruncatedException_not_a_reply_error()
    {
        // OnTruncation = "return" on an enum: nothing retries, and "Tech" matches no label.
        var provider = new Provider("Technical issue", needs: 15);
        using var chat = provider.AsBuilder().UsePromptOps().Build();

        var e = await Assert.ThrowsAsync<PromptTruncatedException>(() => new ShortAnswers(chat).ClassifyWithoutRetryAsync("The app crashes on start"));

        Assert.Equal("Tech", e.PartialText);
        Assert.IsType<PromptReplyException>(e.InnerException);
        Assert.Single(provider.Received);
    }

    [Fact]
    public async Task Raw_and_generated_calls_of_the_same_task_send_the_same_options_and_are_cached_alike()
    {
        var generatedProvider = new Provider("Billing", needs: 2);
        var rawProvider = new Provider("Billing", needs: 2);
        using var generatedChat = generatedProvider.AsBuilder().UsePromptOps().Build();
        using var rawChat = rawProvider.AsBuilder().UsePromptOps().Build();
        var labels = new ShortAnswers(generatedChat);

        for (var i = 0; i < 2; i++)
        {
            await labels.LabelAsync("I was charged twice");
            var raw = await rawChat.GetResponseAsync([new ChatMessage(ChatRole.User, "I was charged twice")],
                new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification", CacheTtl = Knowledge.CacheTtl.Static }));
            Assert.Equal(i == 0 ? CacheLayer.None : CacheLayer.Memory, raw.GetCacheLayer());
        }

        var generated = Assert.Single(generatedProvider.Received)!;
        var rawSent = Assert.Single(rawProvider.Received)!;
        Assert.Equal((10, "gpt-4o-mini"), (generated.MaxOutputTokens, generated.ModelId));
        Assert.Equal((generated.MaxOutputTokens, generated.ModelId, generated.Temperature, generated.ResponseFormat),
            (rawSent.MaxOutputTokens, rawSent.ModelId, rawSent.Temperature, rawSent.ResponseFormat));
    }
}
