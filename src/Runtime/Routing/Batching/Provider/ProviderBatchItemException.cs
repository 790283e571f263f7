using System.Diagnostics.CodeAnalysis;
namespace PromptOps.Routing.Batching;

/// <summary>A deferred call that has no answer: the provider rejected it, or it expired, was cancelled or failed on every attempt.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
public sealed class ProviderBatchItemException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProviderBatchItemException() : this("The deferred call has no answer.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProviderBatchItemException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProviderBatchItemException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="itemId"/>.</summary>
    public ProviderBatchItemException(string itemId, ProviderBatchFailureKind failure, string? error, int attempts)
        : base($"The deferred call {itemId} has no answer ({failure}, after {attempts} batch attempt(s)): {error}")
    {
        ItemId = itemId;
        Failure = failure;
        ProviderError = error;
        Attempts = attempts;
    }

    /// <summary>The item's id.</summary>
    public string? ItemId { get; }

    /// <summary>Why there is no answer.</summary>
    public ProviderBatchFailureKind Failure { get; }

    /// <summary>The provider's error.</summary>
    public string? ProviderError { get; }

    /// <summary>How many batches the item was submitted in.</summary>
    public int Attempts { get; }
}
