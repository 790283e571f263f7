using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>Reads which provider of a fallback chain answered.</summary>
public static class FallbackResponseExtensions
{
    /// <summary>The key of the provider's name (a string) in <c>AdditionalProperties</c>.</summary>
    public const string ProviderKey = "promptops.provider";

    /// <summary>The name of the provider that answered, or null when no fallback chain was involved.</summary>
    public static string? GetProvider(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Read(response.AdditionalProperties);
    }

    /// <summary>The provider of a stream (set on its first update), or null.</summary>
    public static string? GetProvider(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Read(update.AdditionalProperties);
    }

    // A cached response read back from Redis holds the value as a JsonElement.
    private static string? Read(AdditionalPropertiesDictionary? p) =>
        p is null || !p.TryGetValue(ProviderKey, out var v) ? null
        : v as string ?? (v is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } e ? e.GetString() : null);
}
