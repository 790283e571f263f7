using Microsoft.Extensions.AI;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>
/// Routes a request to its tier's model: the tier is <see cref="PromptOpsMetadata.Tier"/>, else the task's tier;
/// the model comes from <see cref="TierRoutingOptions.Models"/>. An explicit <see cref="ChatOptions.ModelId"/> always
/// wins; a request with neither tier nor task goes through unchanged. The caller's options are never modified.
/// </summary>
public sealed class TierRoutingChatClient : DelegatingChatClient
{
    private readonly string[] _models;

    /// <summary>Creates the router; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    public TierRoutingChatClient(IChatClient innerClient, TierRoutingOptions? options = null)
        : base(innerClient)
    {
        _models = (options ?? new TierRoutingOptions()).Resolve();
    }

    /// <summary>The model a tier routes to.</summary>
    public string GetModel(ModelTier tier) => _models[(int)tier];

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Route(options), cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Route(options), cancellationToken);

    private ChatOptions? Route(ChatOptions? options)
    {
        if (options is null || options.ModelId is not null) return options;
        if (options.GetPromptOps()?.EffectiveTier is not { } tier) return options;
        var routed = options.Clone();
        routed.ModelId = _models[(int)tier];
        return routed;
    }
}
