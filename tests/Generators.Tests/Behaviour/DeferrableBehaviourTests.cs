using Microsoft.Extensions.AI;

namespace PromptOps.Generators.Tests.Behaviour;

/// <summary>Generated clients of <c>[Prompt(Deferrable = true)]</c> (this file is compiled with the generator).</summary>
public partial class LaterPrompts(IChatClient chat)
{
    [Prompt(Task = "summary", User = "Summarize: {text}", Deferrable = true)]
    public partial Task<string> SummarizeLaterAsync(string text);

    [Prompt(Task = "summary", User = "Summarize: {text}")]
    public partial Task<string> SummarizeNowAsync(string text);
}

/// <summary>
/// <c>[Prompt(Deferrable = true)]</c> marks the generated request deferrable (what the batching layer reads) but not as batch
/// work: the batch rate is the meter's when the batch answered, and a call made at once is billed in full; without it,
/// neither is set; the prompt version is the same either way (the answer does not change).
/// </summary>
public class DeferrableBehaviourTests
{
    private sealed class Provider : IChatClient
    {
        public List<ChatOptions?> Received { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Received.Add(options);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "short")) { Usage = new UsageDetails { InputTokenCount = 5, OutputTokenCount = 1 } });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_deferrable_prompt_sends_deferrable_metadata_not_batch_priced_and_a_plain_one_does_not()
    {
        var provider = new Provider();
        var prompts = new LaterPrompts(provider);
        Assert.Equal("short", await prompts.SummarizeLaterAsync("a long text"));
        Assert.Equal("short", await prompts.SummarizeNowAsync("a long text"));

        var later = provider.Received[0].GetPromptOps()!;
        var now = provider.Received[1].GetPromptOps()!;
        Assert.Equal((true, false), (later.Deferrable, later.ProviderBatch));
        Assert.Equal((false, false), (now.Deferrable, now.ProviderBatch));
        Assert.Equal(now.Task, later.Task);
        Assert.Null(later.DeferralKey);
    }
}
