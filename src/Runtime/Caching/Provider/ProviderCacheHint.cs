namespace PromptOps.Caching.Provider;

/// <summary>
/// What <see cref="ProviderPromptCacheChatClient"/> tells <see cref="ProviderPromptCacheHandler"/> about the request being
/// sent (which prompt, how much of its text is fixed, which TTL), and what the handler did with it. It flows from the
/// chat layer to the HTTP handler through <see cref="Current"/> (an <see cref="AsyncLocal{T}"/>): the provider SDK sends
/// the request in the same asynchronous flow as the <c>IChatClient</c> call that builds it.
/// </summary>
internal sealed class ProviderCacheHint
{
    private static readonly AsyncLocal<ProviderCacheHint?> Ambient = new();

    /// <summary>The hint of the request being sent in this asynchronous flow, or null.</summary>
    public static ProviderCacheHint? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    /// <summary>The options in force for this request.</summary>
    public required ProviderPromptCacheOptions Options { get; init; }

    /// <summary>The prompt id (<see cref="PromptOpsMetadata.PromptId"/>), or null for a raw call.</summary>
    public string? PromptId { get; init; }

    /// <summary>The prompt version (<see cref="PromptOpsMetadata.PromptVersion"/>), or null.</summary>
    public string? PromptVersion { get; init; }

    /// <summary>
    /// Characters of the request's text (the system text, then the first user message) that are the same on every call of
    /// the prompt (<see cref="PromptOpsMetadata.StaticPrefixLength"/>); null: the whole system text and nothing after it.
    /// </summary>
    public int? StaticPrefixLength { get; init; }

    /// <summary>Set by the handler: the TTL of the breakpoint it placed, or null when it placed none.</summary>
    public ProviderCacheTtl? PlacedTtl { get; set; }

    /// <summary>
    /// Set by the handler for a request that marks its own breakpoints: their TTL when they all have the same one, or null
    /// (none, or mixed).
    /// </summary>
    public ProviderCacheTtl? CallerTtl { get; set; }

    /// <summary>Set by the handler: the <c>prompt_cache_key</c> it added, or null.</summary>
    public string? PromptCacheKey { get; set; }
}
