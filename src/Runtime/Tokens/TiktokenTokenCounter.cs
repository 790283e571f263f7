using Microsoft.ML.Tokenizers;

namespace PromptOps.Tokens;

/// <summary>
/// Exact OpenAI token counts with Microsoft.ML.Tokenizers (same token ids as tiktoken/SharpToken on ordinary
/// text). Creating an encoding costs ~0.4 s and ~50 MB once, so use the shared <see cref="O200k"/> and
/// <see cref="Cl100k"/> instances: they are created on first use and kept for the life of the process.
/// Strings that spell a special token (<c>&lt;|endoftext|&gt;</c>) count as one token.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private static readonly Lazy<TiktokenTokenCounter> O200kInstance =
        new(() => new TiktokenTokenCounter("o200k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<TiktokenTokenCounter> Cl100kInstance =
        new(() => new TiktokenTokenCounter("cl100k_base"), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Tokenizer _tokenizer;

    private TiktokenTokenCounter(string encoding)
    {
        Name = encoding;
        _tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
    }

    /// <summary>The o200k_base encoding (gpt-4o, gpt-4o-mini, gpt-4.1, o-series, gpt-5).</summary>
    public static TiktokenTokenCounter O200k => O200kInstance.Value;

    /// <summary>The cl100k_base encoding (gpt-4, gpt-4-turbo, gpt-3.5-turbo).</summary>
    public static TiktokenTokenCounter Cl100k => Cl100kInstance.Value;

    /// <summary>True once the shared counter of <paramref name="encoding"/> (o200k_base, cl100k_base) has been created.</summary>
    internal static bool IsCreated(string encoding) => encoding == "cl100k_base" ? Cl100kInstance.IsValueCreated : O200kInstance.IsValueCreated;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsExact => true;

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
    }

    /// <inheritdoc />
    public string Truncate(string text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (text.Length == 0) return text;
        if (maxTokens == 0) return string.Empty;
        var index = _tokenizer.GetIndexByTokenCount(text, maxTokens, out _, out _);
        return index >= text.Length ? text : text[..index];
    }
}
