namespace PromptOps.Routing;

/// <summary>Every provider of a fallback chain failed or was in its cooldown.</summary>
public sealed class AllProvidersFailedException : AggregateException
{
    /// <summary>Creates the exception from each provider's failure.</summary>
    public AllProvidersFailedException(string message, IEnumerable<Exception> failures)
        : base(message, failures)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AllProvidersFailedException()
        : base("Every provider of the fallback chain failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AllProvidersFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure.</summary>
    public AllProvidersFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
