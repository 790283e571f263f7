using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>
/// Reads the TTL decision <see cref="PromptCacheChatClient"/> records on the response of the call that stored an answer
/// (the usage meter copies it into the ledger). Cache hits and answers that were not stored carry none.
/// </summary>
public static class CacheTtlDecisionExtensions
{
    /// <summary>The key of the TTL (a <see cref="TimeSpan"/>) in <c>AdditionalProperties</c>.</summary>
    public const string TtlKey = "promptops.cache_ttl";

    /// <summary>The key of the reason (a string, see <see cref="CacheTtlReasons"/>) in <c>AdditionalProperties</c>.</summary>
    public const string ReasonKey = "promptops.cache_ttl_reason";

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

    internal static void Set(AdditionalPropertiesDictionary props, TimeSpan ttl, string reason)
    {
        props[TtlKey] = ttl;
        props[ReasonKey] = reason;
    }

    internal static void Remove(AdditionalPropertiesDictionary? props)
    {
        props?.Remove(TtlKey);
        props?.Remove(ReasonKey);
    }

    private static (TimeSpan?, string?) Read(AdditionalPropertiesDictionary? props) =>
        props is not null && props.TryGetValue(TtlKey, out var t) && t is TimeSpan ttl
            ? (ttl, props.TryGetValue(ReasonKey, out var r) ? r as string : null)
            : (null, null);
}
