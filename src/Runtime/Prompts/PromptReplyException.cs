namespace PromptOps;

/// <summary>
/// The model's reply could not be read as the method's return type (no allowed label matched, not a number, not
/// valid JSON for the type). Carries the raw reply so the caller can log it, retry, or fall back — PromptOps never
/// substitutes a silent default.
/// </summary>
public sealed class PromptReplyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromptReplyException(string message, string rawReply, Type targetType, Exception? inner = null)
        : base(message, inner)
    {
        RawReply = rawReply;
        TargetType = targetType;
    }

    /// <summary>Creates the exception.</summary>
    public PromptReplyException()
        : this("The reply could not be parsed.", string.Empty, typeof(object))
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromptReplyException(string message)
        : this(message, string.Empty, typeof(object))
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromptReplyException(string message, Exception inner)
        : this(message, string.Empty, typeof(object), inner)
    {
    }

    /// <summary>The reply text exactly as the model sent it.</summary>
    public string RawReply { get; }

    /// <summary>The type the reply was to be read as.</summary>
    public Type TargetType { get; }
}

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
