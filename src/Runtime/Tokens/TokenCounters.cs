namespace PromptOps.Tokens;

/// <summary>Chooses the token counter for a model id.</summary>
internal static class TokenCounters
{
    /// <summary>
    /// The counter for <paramref name="modelId"/>: exact o200k for gpt-4o, gpt-4.1, gpt-5 and the o-series; exact
    /// cl100k for gpt-4, gpt-4-turbo and gpt-3.5; the documented <see cref="EstimatingTokenCounter"/> for every
    /// other model (Claude, Gemini, self-hosted) and for a null id.
    /// </summary>
    public static ITokenCounter ForModel(string? modelId) => ForEncoding(GetEncodingName(modelId));

    /// <summary>The counter of an encoding named by <see cref="GetEncodingName"/>; the estimate for null.</summary>
    public static ITokenCounter ForEncoding(string? encoding) => encoding switch
    {
        "o200k_base" => TiktokenTokenCounter.O200k,
        "cl100k_base" => TiktokenTokenCounter.Cl100k,
        _ => EstimatingTokenCounter.Default,
    };

    /// <summary>The tiktoken encoding of an OpenAI model id, or null when there is no local tokenizer for it.</summary>
    public static string? GetEncodingName(string? modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId)) return null;
        var id = modelId.Trim().ToLowerInvariant();
        var slash = id.LastIndexOf('/');
        if (slash >= 0) id = id[(slash + 1)..];

        if (id.StartsWith("gpt-4o", StringComparison.Ordinal) || id.StartsWith("gpt-4.1", StringComparison.Ordinal)
            || id.StartsWith("gpt-4.5", StringComparison.Ordinal) || id.StartsWith("gpt-5", StringComparison.Ordinal)
            || id.StartsWith("chatgpt-4o", StringComparison.Ordinal) || id.StartsWith("gpt-oss", StringComparison.Ordinal)
            || IsOSeries(id))
        {
            return "o200k_base";
        }

        if (id.StartsWith("gpt-4", StringComparison.Ordinal) || id.StartsWith("gpt-3.5", StringComparison.Ordinal)
            || id.StartsWith("text-embedding-", StringComparison.Ordinal))
        {
            return "cl100k_base";
        }

        return null;
    }

    private static bool IsOSeries(string id) =>
        id.Length >= 2 && id[0] == 'o' && char.IsAsciiDigit(id[1]) && (id.Length == 2 || id[2] == '-');
}
