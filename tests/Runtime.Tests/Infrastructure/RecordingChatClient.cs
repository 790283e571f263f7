using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace PromptOps.Tests.Infrastructure;

/// <summary>An in-process provider double: records what it receives and answers with a configurable function.</summary>
internal sealed class RecordingChatClient : IChatClient
{
    private int _calls;

    public Func<IList<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> Respond { get; set; }

    public List<(IList<ChatMessage> Messages, ChatOptions? Options)> Received { get; } = [];

    public int Calls => Volatile.Read(ref _calls);

    public RecordingChatClient(string answer = "answer", string model = "gpt-4o-mini", long input = 100, long output = 10)
    {
        Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer))
        {
            ModelId = o?.ModelId ?? model,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
            FinishReason = ChatFinishReason.Stop,
        });
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        Interlocked.Increment(ref _calls);
        lock (Received) Received.Add((list, options));
        return await Respond(list, options, cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
