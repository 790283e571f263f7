namespace PromptOps.Caching.Provider;

/// <summary>How long Anthropic keeps a prefix PromptOps marks for its prompt cache (the breakpoint's <c>ttl</c>).</summary>
public enum ProviderCacheTtl
{
    /// <summary>Five minutes, refreshed on every read: Anthropic's default; writes cost 1.25 × the input price.</summary>
    FiveMinutes = 0,

    /// <summary>One hour: for prefixes reused less often than every five minutes; writes cost 2 × the input price.</summary>
    OneHour = 1,
}
