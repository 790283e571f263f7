using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace PromptOps.Routing.Batching;

/// <summary>
/// Sends deferrable calls (<see cref="PromptOpsMetadata.Deferrable"/>, set by
/// <see cref="DeferrableChatOptionsExtensions.Deferrable(ChatOptions, string?)"/>) to a <see cref="ProviderBatchScheduler"/>
/// instead of the provider: the call's task completes when its batch has answered. Every other call passes through. Place
/// it inside routing, the cache and the budget and outside any fallback (<c>UsePromptOps()</c> does when batching is
/// registered: a fallback's per-attempt timeout would abandon a call waiting for its batch), so that routing has chosen
/// the model, the cache answers repeats without a batch, and the usage meter records the answer at the batch rate.
/// A deferrable streaming call is answered as one update when its batch ends.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class DeferrableChatClient : DelegatingChatClient
{
    private readonly ProviderBatchScheduler _scheduler;

    /// <summary>Creates the layer.</summary>
    public DeferrableChatClient(IChatClient innerClient, ProviderBatchScheduler scheduler) : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        options.GetPromptOps() is { Deferrable: true }
            ? BatchedAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);

    /// <summary>The batch's answer, marked as such (<see cref="PromptOpsResponseFeatures.ProviderBatched"/>) so the meter prices it at the batch rate.</summary>
    private async Task<ChatResponse> BatchedAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var response = await _scheduler.EnqueueAsync(messages, options, DefaultModel(), cancellationToken).ConfigureAwait(false);
        PromptOpsResponseFeatures.Of(response).ProviderBatched = true;
        return response;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (options.GetPromptOps() is not { Deferrable: true })
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false)) yield return update;
            yield break;
        }

        var response = await BatchedAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            PromptOpsResponseFeatures.Of(update).ProviderBatched = true;
            yield return update;
        }
    }

    /// <summary>The longest a deferrable call can wait for its answer (<see cref="ProviderBatchScheduler.LongestWait"/>).</summary>
    internal TimeSpan LongestWait => _scheduler.LongestWait;

    private string? DefaultModel() => InnerClient.GetService<ChatClientMetadata>()?.DefaultModelId;
}
