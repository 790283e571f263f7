namespace PromptOps.Package.Tests;

/// <summary>
/// A stand-in <c>IChatClient</c> for the programs of fresh projects that install <c>PromptOps</c> alone: the simulated
/// provider is in <c>PromptOps.Testing</c>, which such a project must not need. It answers
/// <c>[stand-in MODEL] It is on its way.</c> (the requested model, <c>gpt-4o-mini</c> when none is named) with token
/// usage, and counts its calls.
/// </summary>
internal static class StandInProvider
{
    /// <summary>The class's source, appended to a program after its top-level statements.</summary>
    public const string Source = """

        /// <summary>A stand-in provider: answers every request alike, with token usage, and counts its calls.</summary>
        internal sealed class StandInChatClient : IChatClient
        {
            private int _calls;

            public int CallCount => _calls;

            public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            {
                Interlocked.Increment(ref _calls);
                var model = options?.ModelId ?? "gpt-4o-mini";
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"[stand-in {model}] It is on its way."))
                {
                    ModelId = model,
                    FinishReason = ChatFinishReason.Stop,
                    Usage = new UsageDetails { InputTokenCount = 20, OutputTokenCount = 8, TotalTokenCount = 28 },
                });
            }

            public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
                CancellationToken cancellationToken = default) => throw new NotSupportedException("The stand-in provider does not stream.");

            public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

            public void Dispose()
            {
            }
        }
        """;
}
