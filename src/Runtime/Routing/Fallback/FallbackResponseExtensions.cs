using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>Reads which provider of a fallback chain answered.</summary>
public static class FallbackResponseExtensions
{
    /// <summary>The name of the provider that answered, or null when no fallback chain was involved.</summary>
    public static string? GetProvider(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>The provider of a stream (set on each of its updates), or null.</summary>
    public static string? GetProvider(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    // A cached answer keeps it (the features' stored part, read back from Redis too).
    private static string? Read(AdditionalPropertiesDictionary? p) => PromptOpsResponseFeatures.Get(p)?.Provider;
}
