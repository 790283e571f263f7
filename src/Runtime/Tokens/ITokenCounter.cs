namespace PromptOps.Tokens;

/// <summary>Counts (and truncates to) tokens of one model family's tokenizer.</summary>
public interface ITokenCounter
{
    /// <summary>The encoding name (<c>o200k_base</c>, <c>cl100k_base</c>) or <c>estimate</c>.</summary>
    string Name { get; }

    /// <summary>True when counts are exactly what the provider bills; false for an estimate.</summary>
    bool IsExact { get; }

    /// <summary>The number of tokens in <paramref name="text"/>.</summary>
    int CountTokens(string text);

    /// <summary>The longest prefix of <paramref name="text"/> that has at most <paramref name="maxTokens"/> tokens.</summary>
    string Truncate(string text, int maxTokens);
}
