namespace PromptOps;

/// <summary>The rendered prompt has more tokens than the method's <c>MaxInputTokens</c> allows.</summary>
public sealed class PromptInputTooLongException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromptInputTooLongException(string promptId, int tokens, int maxTokens)
        : base($"The prompt '{promptId}' has {tokens} input tokens, more than its MaxInputTokens of {maxTokens}. Shorten the input or mark the long parameter [MaxInputTokens(n)] to truncate it.")
    {
        PromptId = promptId;
        Tokens = tokens;
        MaxTokens = maxTokens;
    }

    /// <summary>Creates the exception.</summary>
    public PromptInputTooLongException()
        : this(string.Empty, 0, 0)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromptInputTooLongException(string message)
        : base(message)
    {
        PromptId = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public PromptInputTooLongException(string message, Exception inner)
        : base(message, inner)
    {
        PromptId = string.Empty;
    }

    /// <summary>The prompt id.</summary>
    public string PromptId { get; }

    /// <summary>The rendered prompt's token count.</summary>
    public int Tokens { get; }

    /// <summary>The limit.</summary>
    public int MaxTokens { get; }
}
