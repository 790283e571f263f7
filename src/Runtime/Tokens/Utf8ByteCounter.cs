using System.Text;

namespace PromptOps.Tokens;

/// <summary>
/// An upper bound on o200k and cl100k token counts that needs no tokenizer: the UTF-8 byte count (every token of a
/// byte-level BPE is at least one byte; a text spelling a special token counts one token and several bytes). About 4×
/// the exact count on English prose, 1–3× on Japanese. See <see cref="RequestTokens.CountOrBound"/>.
/// </summary>
internal sealed class Utf8ByteCounter : ITokenCounter
{
    public static readonly Utf8ByteCounter Instance = new();

    private Utf8ByteCounter()
    {
    }

    public string Name => "utf8-bytes";

    public bool IsExact => false;

    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Encoding.UTF8.GetByteCount(text);
    }

    public string Truncate(string text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        var bytes = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 4 : text[i] < 0x80 ? 1 : text[i] < 0x800 ? 2 : 3;
            if (bytes + width > maxTokens) return text[..i];
            bytes += width;
            if (width == 4) i++;
        }

        return text;
    }
}
