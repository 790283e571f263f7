using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace PromptOps.Truncation;

/// <summary>
/// Applies the <see cref="TruncationPolicy"/> to replies cut off at the output-token limit (<c>ChatFinishReason.Length</c>):
/// returns them, throws <see cref="PromptTruncatedException"/>, or asks once more with a larger limit. The policy is
/// <see cref="PromptOpsMetadata.OnTruncation"/> (<c>[Prompt(OnTruncation = …)]</c>), else
/// <see cref="TruncationOptions.StructuredPolicy"/> for a reply read as a value (<see cref="PromptOpsMetadata.StructuredReply"/>
/// or a JSON response format), else <see cref="TruncationOptions.Policy"/>.
/// <para><c>UsePromptOps</c> puts it inside the response cache and outside the budget breaker: a retried, complete answer
/// is what the cache stores under the request's key (so the next identical call is a hit, not another cut-off call), and
/// each attempt is reserved and settled by the budget on its own. The returned response's <c>Usage</c> adds up both
/// attempts, so the meter records what the call cost; it carries <see cref="PromptOpsResponseFeatures.TruncationRetriedFrom"/> (the first limit).</para>
/// </summary>
public sealed class TruncationChatClient : DelegatingChatClient
{
    private readonly TruncationOptions _options;

    /// <summary>Creates the layer; invalid options throw an <see cref="ArgumentException"/> naming the bad value.</summary>
    public TruncationChatClient(IChatClient innerClient, TruncationOptions? options = null)
        : base(innerClient)
    {
        _options = options?.Clone() ?? new TruncationOptions();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));
    }

    /// <summary>The policy that applies to a request with these options.</summary>
    public TruncationPolicy PolicyFor(ChatOptions? options)
    {
        var meta = options.GetPromptOps();
        if (meta?.OnTruncation is { } explicitPolicy) return explicitPolicy;
        var structured = meta?.StructuredReply == true || options?.ResponseFormat is ChatResponseFormatJson;
        return structured ? _options.StructuredPolicy : _options.Policy;
    }

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages is not ICollection<ChatMessage>) messages = messages.ToList(); // may be sent twice
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (response.FinishReason != ChatFinishReason.Length) return response;

        switch (PolicyFor(options))
        {
            case TruncationPolicy.Throw:
                throw new PromptTruncatedException(response.Text, options.GetPromptOps()?.PromptId, options?.MaxOutputTokens, response);
            case TruncationPolicy.Retry when options?.MaxOutputTokens is { } limit
                                             && _options.RetryLimit(limit, options.GetPromptOps()?.OutputTokenCap) is { } raised:
                var retryOptions = options.Clone();
                retryOptions.MaxOutputTokens = raised;
                var retry = await base.GetResponseAsync(messages, retryOptions, cancellationToken).ConfigureAwait(false);
                retry.Usage = Add(response.Usage, retry.Usage);
                PromptOpsResponseFeatures.Of(retry).TruncationRetriedFrom = limit;
                return retry;
            default:
                return response; // Return, or Retry without a limit to raise
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The text has reached the caller chunk by chunk: it cannot be asked for again, only reported (Throw) at the end.
        var text = PolicyFor(options) == TruncationPolicy.Throw ? new StringBuilder() : null;
        ChatFinishReason? finish = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            finish = update.FinishReason ?? finish;
            text?.Append(update.Text);
            yield return update;
        }

        if (text is not null && finish == ChatFinishReason.Length)
        {
            throw new PromptTruncatedException(text.ToString(), options.GetPromptOps()?.PromptId, options?.MaxOutputTokens);
        }
    }

    private static UsageDetails? Add(UsageDetails? first, UsageDetails? second)
    {
        if (first is null || second is null) return first ?? second;
        var sum = Caching.ResponseCopier.CopyUsage(first)!;
        sum.Add(second);
        return sum;
    }
}
