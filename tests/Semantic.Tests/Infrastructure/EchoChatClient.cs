using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace PromptOps.Semantic.Tests.Infrastructure;

/// <summary>An in-process provider double: answers "answer to: {last user text}" (or what <see cref="Answer"/> says) and counts calls.</summary>
internal sealed class EchoChatClient : IChatClient
{
    private int _calls;

    public Func<string, string> Answer { get; set; } = text => "answer to: " + text;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var text = messages.Last().Text;
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(text)))
        {
            ModelId = options?.ModelId ?? "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10, TotalTokenCount = 110 },
            FinishReason = ChatFinishReason.Stop,
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
