using Microsoft.Extensions.AI;

namespace PromptOps.FirstResponse;

/// <summary>The provider: answers at once with fixed usage (no network, no tokenizer), so only the pipeline's own start-up is timed.</summary>
internal sealed class StandInProvider : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "It left the warehouse today."))
        {
            ModelId = options?.ModelId,
            Usage = new UsageDetails { InputTokenCount = 12, OutputTokenCount = 6, TotalTokenCount = 18 },
        });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
