using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>
/// Reads the TTL decision <see cref="PromptCacheChatClient"/> records on the response of the call that stored an answer
/// (the usage meter copies it into the ledger). Cache hits and answers that were not stored carry none.
/// </summary>
public static class CacheTtlDecisionExtensions
{
    /// <summary>The TTL <paramref name="response"/> was stored with and why, or nulls when it was not stored by this call.</summary>
    public static (TimeSpan? Ttl, string? Reason) GetCacheTtlDecision(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>The TTL the stream this update belongs to was stored with and why (on its last update), or nulls.</summary>
    public static (TimeSpan? Ttl, string? Reason) GetCacheTtlDecision(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    internal static void Set(PromptOpsResponseFeatures features, TimeSpan ttl, string reason)
    {
        features.CacheTtl = ttl;
        features.CacheTtlReason = reason;
    }

    private static (TimeSpan?, string?) Read(AdditionalPropertiesDictionary? props) =>
        PromptOpsResponseFeatures.Get(props) is { CacheTtl: { } ttl } f ? (ttl, f.CacheTtlReason) : (null, null);
}
