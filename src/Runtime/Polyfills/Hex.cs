namespace PromptOps;

/// <summary>
/// Lower-case hex of a byte span: <c>Convert.ToHexStringLower</c> / <c>TryToHexStringLower</c> on .NET 9 and later,
/// the same characters written by hand on .NET 8 (which has neither).
/// </summary>
internal static class Hex
{
    /// <summary>Writes <paramref name="bytes"/> as lower-case hex into <paramref name="destination"/> (two chars a byte).</summary>
    public static void WriteLower(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
#if NET9_0_OR_GREATER
        Convert.TryToHexStringLower(bytes, destination, out _);
#else
        const string Digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length && (2 * i) + 1 < destination.Length; i++)
        {
            destination[2 * i] = Digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }
#endif
    }

    /// <summary><paramref name="bytes"/> as a lower-case hex string.</summary>
    public static string ToLower(ReadOnlySpan<byte> bytes)
    {
#if NET9_0_OR_GREATER
        return Convert.ToHexStringLower(bytes);
#else
        return Convert.ToHexString(bytes).ToLowerInvariant();
#endif
    }
}
