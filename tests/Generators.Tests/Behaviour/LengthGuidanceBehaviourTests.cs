using Microsoft.Extensions.AI;

namespace PromptOps.Generators.Tests.Behaviour;

/// <summary>What the generated clients of <see cref="LengthPrompts"/> send: the length sentence, where it goes, and when there is none.</summary>
public class LengthGuidanceBehaviourTests
{
    private sealed class Recorder(string reply) : IChatClient
    {
        public List<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add((messages.ToList(), options));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)) { ModelId = "gpt-4o" });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task The_task_length_goes_after_the_system_prompt_and_the_user_message_is_unchanged()
    {
        var chat = new Recorder("Restart the router.");
        await new LengthPrompts(chat).AnswerAsync("Why is my internet down?");
        var (messages, options) = chat.Calls.Single();
        Assert.Equal("You answer support questions.\n\nAnswer in at most 30 words.", messages[0].Text);
        Assert.Equal("Why is my internet down?", messages[1].Text);
        Assert.Equal(50, options!.MaxOutputTokens);
    }

    [Fact]
    public async Task A_japanese_prompt_is_asked_in_characters_after_the_user_template_when_there_is_no_system_prompt()
    {
        var chat = new Recorder("要約です。");
        await new LengthPrompts(chat).SummarizeJapaneseAsync("本文");
        Assert.Equal("本文を要約してください。\n\n200文字以内で答えてください。", chat.Calls.Single().Messages.Single().Text);
    }

    [Fact]
    public async Task A_smaller_limit_states_a_smaller_length()
    {
        var chat = new Recorder("Short.");
        await new LengthPrompts(chat).SummarizeShortAsync("text");
        var (messages, options) = chat.Calls.Single();
        Assert.Equal("Summarize: text\n\nAnswer in at most 60 words.", messages.Single().Text);
        Assert.Equal(100, options!.MaxOutputTokens);
    }

    [Fact]
    public async Task Length_overrides_and_turns_off_the_task_length()
    {
        var chat = new Recorder("ok");
        var prompts = new LengthPrompts(chat);
        await prompts.AnswerInSentencesAsync("q");
        await prompts.AnswerFreelyAsync("q");
        Assert.Equal("q\n\nAnswer in at most 1 sentence.", chat.Calls[0].Messages.Single().Text);
        Assert.Equal("q", chat.Calls[1].Messages.Single().Text);
        Assert.Equal(2, chat.Calls.Count);
    }

    [Fact]
    public async Task Typed_results_state_no_length()
    {
        var chat = new Recorder("Billing");
        await new LengthPrompts(chat).ClassifyAsync("t");
        Assert.DoesNotContain("at most", chat.Calls.Single().Messages[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_length_is_part_of_the_prompt_version()
    {
        var chat = new Recorder("ok");
        var prompts = new LengthPrompts(chat);
        await prompts.AnswerInSentencesAsync("q");
        await prompts.AnswerFreelyAsync("q");
        var versions = chat.Calls.Select(c => c.Options!.GetPromptOps()!.PromptVersion).ToList();
        Assert.NotEqual(versions[0], versions[1]);
    }
}
