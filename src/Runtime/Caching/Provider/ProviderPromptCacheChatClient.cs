using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using PromptOps.Pricing;

namespace PromptOps.Caching.Provider;

/// <summary>
/// Tells <see cref="ProviderPromptCacheHandler"/> (on the provider SDK's <see cref="HttpClient"/>) which prompt each request
/// is — its id, version and fixed-prefix length from <see cref="PromptOpsMetadata"/> — so the handler can place the provider's
/// prompt cache at the end of the prompt's static prefix and key OpenAI's cache by prompt. When the handler placed a one-hour
/// Anthropic breakpoint, or every breakpoint the caller placed itself is a one-hour one, the answer's cache writes are
/// reported as one-hour writes
/// (<see cref="ProviderUsage.CacheWriteOneHourInputTokensKey"/>), which the usage meter prices at 2 × the input price.
/// Without the handler on the SDK's client this layer changes nothing.
/// </summary>
public sealed class ProviderPromptCacheChatClient : DelegatingChatClient
{
    private readonly ProviderPromptCacheOptions _options;

    /// <summary>Wraps <paramref name="innerClient"/>.</summary>
    public ProviderPromptCacheChatClient(IChatClient innerClient, ProviderPromptCacheOptions? options = null)
        : base(innerClient)
    {
        _options = options ?? new ProviderPromptCacheOptions();
        _options.Validate();
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var previous = ProviderCacheHint.Current;
        var hint = HintFor(options);
        ProviderCacheHint.Current = hint;
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            MarkOneHourWrites(hint, response.Usage);
            return response;
        }
        finally
        {
            ProviderCacheHint.Current = previous;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var hint = HintFor(options);
        var previous = ProviderCacheHint.Current;
        ProviderCacheHint.Current = hint;
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // The hint is set again before every step: the SDK may send the request on any of them, and an async iterator's
            // ambient values do not outlive a yield.
            ProviderCacheHint.Current = hint;
            bool more;
            try
            {
                more = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            finally
            {
                ProviderCacheHint.Current = previous;
            }

            if (!more) yield break;
            foreach (var usage in updates.Current.Contents.OfType<UsageContent>()) MarkOneHourWrites(hint, usage.Details);
            yield return updates.Current;
        }
    }

    private ProviderCacheHint HintFor(ChatOptions? options)
    {
        var meta = options.GetPromptOps();
        return new ProviderCacheHint
        {
            // An outer layer's options win: UseProviderPromptCache(…) before UsePromptOps() configures the one UsePromptOps adds.
            Options = ProviderCacheHint.Current?.Options ?? _options,
            PromptId = meta?.PromptId,
            PromptVersion = meta?.PromptVersion,
            StaticPrefixLength = meta?.StaticPrefixLength,
        };
    }

    /// <summary>
    /// Under one-hour breakpoints only (the one the handler placed, or every one the caller placed) every cache write is a
    /// one-hour write.
    /// </summary>
    private static void MarkOneHourWrites(ProviderCacheHint hint, UsageDetails? usage)
    {
        if ((hint.PlacedTtl ?? hint.CallerTtl) != ProviderCacheTtl.OneHour || ProviderUsage.CacheWriteInputTokens(usage) is not { } writes || writes <= 0) return;
        (usage!.AdditionalCounts ??= [])[ProviderUsage.CacheWriteOneHourInputTokensKey] = writes;
    }
}
