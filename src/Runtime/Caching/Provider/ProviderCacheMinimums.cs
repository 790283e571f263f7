namespace PromptOps.Caching.Provider;

/// <summary>
/// The smallest prompt prefix, in tokens, that Anthropic caches for each Claude model: a breakpoint on a shorter prefix is
/// accepted but caches nothing (no error; both cache counters stay 0), so PromptOps places none there.
/// </summary>
/// <remarks>
/// Source: Anthropic's prompt-caching guide, "Cache limitations"
/// (https://platform.claude.com/docs/en/build-with-claude/prompt-caching), as of 2026-12: 4,096 tokens for Claude Opus 4.6,
/// Opus 4.5 and Haiku 4.5; 2,048 for Sonnet 4.6, Opus 4.7, Haiku 3.5 and Haiku 3; 1,024 for Sonnet 4.5, Sonnet 4, Sonnet 3.7,
/// Sonnet 3.5, Opus 4.1, Opus 4 and Opus 3. A model not in the table gets <see cref="DefaultMinimumTokens"/> (the lowest
/// minimum: a breakpoint below a model's real minimum costs nothing, one that is missing costs the whole discount).
/// </remarks>
public static class ProviderCacheMinimums
{
    /// <summary>The minimum of a Claude model not in <see cref="Anthropic"/> (1,024 tokens, the lowest any model has).</summary>
    public const int DefaultMinimumTokens = 1024;

    /// <summary>Model family (the id without a date suffix) → minimum cacheable prefix in tokens. Longest family first.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, int>> Anthropic =
    [
        new("claude-opus-4-7", 2048),
        new("claude-opus-4-6", 4096),
        new("claude-opus-4-5", 4096),
        new("claude-opus-4-1", 1024),
        new("claude-opus-4", 1024),
        new("claude-sonnet-4-6", 2048),
        new("claude-sonnet-4-5", 1024),
        new("claude-sonnet-4", 1024),
        new("claude-haiku-4-5", 4096),
        new("claude-3-7-sonnet", 1024),
        new("claude-3-5-sonnet", 1024),
        new("claude-3-5-haiku", 2048),
        new("claude-3-haiku", 2048),
        new("claude-3-opus", 1024),
    ];

    /// <summary>
    /// The minimum cacheable prefix of <paramref name="modelId"/> in tokens: the entry whose family the id starts with
    /// (<c>claude-sonnet-4-5-20250929</c> → <c>claude-sonnet-4-5</c>; provider prefixes such as <c>anthropic/</c> are
    /// ignored), else <see cref="DefaultMinimumTokens"/>.
    /// </summary>
    public static int ForAnthropic(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId)) return DefaultMinimumTokens;
        var id = modelId.Trim().ToLowerInvariant();
        var slash = id.LastIndexOf('/');
        if (slash >= 0) id = id[(slash + 1)..];
        if (id.StartsWith("anthropic.", StringComparison.Ordinal)) id = id["anthropic.".Length..];
        foreach (var (family, tokens) in Anthropic)
        {
            // The family is the whole id or followed by a separator (a date, a version); "claude-opus-4-5-…" is matched by its
            // own row before "claude-opus-4" is tried, because the table lists the longer families of a line first.
            if (id.Length == family.Length ? id == family : id.StartsWith(family, StringComparison.Ordinal) && id[family.Length] is '-' or '@' or ':') return tokens;
        }

        return DefaultMinimumTokens;
    }
}
