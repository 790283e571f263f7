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
