using Microsoft.Extensions.AI;
using PromptOps.Routing.Batching;

namespace PromptOps.Batching.Tests.Infrastructure;

/// <summary>The provider client under the batching layer: answers "direct" to calls that are not deferrable and counts them.</summary>
internal sealed class DirectChatClient : IChatClient
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "direct"))
        {
            ModelId = options?.ModelId ?? "gpt-4o-mini",
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 10 },
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

/// <summary>A results handler that keeps what it received.</summary>
internal sealed class RecordingHandler : IProviderBatchResultHandler
{
    private readonly List<ProviderBatchResult> _results = [];

    public IReadOnlyList<ProviderBatchResult> Results
    {
        get
        {
            lock (_results) return [.. _results];
        }
    }

    public ValueTask HandleAsync(ProviderBatchResult result, CancellationToken cancellationToken)
    {
        lock (_results) _results.Add(result);
        return ValueTask.CompletedTask;
    }
}

internal static class Waiting
{
    /// <summary>Waits (real time, as a hang guard only: nothing is asserted about time) until <paramref name="condition"/> holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Gave up waiting for: " + what);
            await Task.Delay(10);
        }
    }
}
