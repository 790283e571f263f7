using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Routing;

/// <summary>
/// Routes a request to a model. With <see cref="PromptOpsMetadata.MinQuality"/>: the cheapest candidate model whose
/// quality score meets it (<see cref="QualityRouter"/>). Otherwise the tier's model: the tier is
/// <see cref="PromptOpsMetadata.Tier"/>, else the task's tier; the model comes from <see cref="TierRoutingOptions.Models"/>.
/// An explicit <see cref="ChatOptions.ModelId"/> always wins; a request with neither quality, tier nor task goes through
/// unchanged. A request whose metadata names a task and that sets no <see cref="ChatOptions.MaxOutputTokens"/> gets the
/// task's output limit (<see cref="ChatOptionsPromptOpsExtensions.WithTaskDefaults"/>), as a generated call of that task
/// has. The caller's options are never modified.
/// </summary>
public sealed class TierRoutingChatClient : DelegatingChatClient
{
    private readonly string[] _models;
    private readonly TierRoutingOptions _options;
    private readonly PriceCatalog _prices;
    private QualityRouter? _quality;

    /// <summary>Creates the router; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    /// <param name="innerClient">The next client.</param>
    /// <param name="options">Tier models, quality scores and candidates.</param>
    /// <param name="prices">Prices for quality-aware routing (the defaults when null).</param>
    public TierRoutingChatClient(IChatClient innerClient, TierRoutingOptions? options = null, PriceCatalog? prices = null)
        : base(innerClient)
    {
        options ??= new TierRoutingOptions();
        _models = options.Resolve(); // validates (naming the bad value) before anything else touches the options
        _options = options.Clone();
        _prices = prices ?? new PriceCatalog();
    }

    /// <summary>The model a tier routes to.</summary>
    public string GetModel(ModelTier tier) => _models[(int)tier];

    /// <summary>The quality-aware selector (built on first use, so a catalogue without a candidate's price fails only when used).</summary>
    internal QualityRouter QualityRouter => _quality ??= new QualityRouter(_options, _prices);

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Route(options), cancellationToken);

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Route(options), cancellationToken);

    private ChatOptions? Route(ChatOptions? options)
    {
        // The task's output limit first (a copy, when the request names a task and sets no limit), so a raw call that
        // names a task sends what the generated call of that task sends.
        var limited = options.WithTaskDefaults();
        if (limited is null || limited.ModelId is not null) return limited;
        var meta = limited.GetPromptOps();
        string model;
        if (meta?.MinQuality is { } quality) model = QualityRouter.Select(quality, meta.BudgetSensitivity ?? BudgetSensitivity.High).Model;
        else if (meta?.EffectiveTier is { } tier) model = _models[(int)tier];
        else return limited;
        var routed = ReferenceEquals(limited, options) ? limited.Clone() : limited;
        routed.ModelId = model;
        return routed;
    }
}
