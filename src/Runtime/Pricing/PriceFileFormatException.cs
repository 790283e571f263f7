namespace PromptOps.Pricing;

/// <summary>A price file that cannot be read at all; the message names the file and the reason.</summary>
public sealed class PriceFileFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public PriceFileFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
