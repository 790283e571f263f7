namespace PromptOps.Routing;

/// <summary>No cascade level produced an answer its evaluator accepted (<see cref="CascadeOptions.ThrowWhenNoLevelPasses"/>).</summary>
public sealed class CascadeExhaustedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CascadeExhaustedException(IReadOnlyList<CascadeAttempt> attempts)
        : base(Describe(attempts))
    {
        Attempts = attempts;
    }

    /// <summary>Creates the exception with a message.</summary>
    public CascadeExhaustedException(string message)
        : base(message)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public CascadeExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Attempts = [];
    }

    /// <summary>Creates the exception.</summary>
    public CascadeExhaustedException()
        : this("No cascade level passed.")
    {
    }

    /// <summary>Every level tried, in order.</summary>
    public IReadOnlyList<CascadeAttempt> Attempts { get; }

    private static string Describe(IReadOnlyList<CascadeAttempt> attempts) =>
        "No cascade level passed: " + string.Join("; ", attempts.Select(a => $"level {a.Level} ({a.ModelId}): {a.Reason ?? "failed"}")) + ".";
}
