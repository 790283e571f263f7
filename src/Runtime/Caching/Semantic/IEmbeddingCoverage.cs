namespace PromptOps.Caching.Semantic;

/// <summary>
/// Tells whether an embedding generator can represent a text faithfully. The semantic layer asks the generator for
/// this service (<c>generator.GetService(typeof(IEmbeddingCoverage))</c>) and bypasses itself for text the model
/// cannot represent — for an English-only model, Japanese text turns into unknown tokens and two different Japanese
/// questions would embed alike. A generator without it is trusted with every text.
/// </summary>
public interface IEmbeddingCoverage
{
    /// <summary>True when <paramref name="text"/> can be embedded without losing what distinguishes it (no unknown tokens, no truncation).</summary>
    bool CanRepresent(string text);
}
