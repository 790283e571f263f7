using Microsoft.Extensions.AI;

namespace PromptOps.Routing;

/// <summary>A provider in a fallback chain: a name (for logs, health and the response) and its client.</summary>
public sealed record NamedChatClient
{
    /// <summary>Creates the entry.</summary>
    /// <param name="name">A unique name (<c>openai</c>, <c>azure-eu</c>, …).</param>
    /// <param name="client">The provider's client.</param>
    /// <param name="models">
    /// Optional model id → this provider's model or deployment id, for providers that name models differently
    /// (an Azure deployment <c>prod-4o</c> for <c>gpt-4o</c>). Models not listed are sent as they are.
    /// </param>
    public NamedChatClient(string name, IChatClient client, IReadOnlyDictionary<string, string>? models = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(client);
        Name = name.Trim();
        Client = client;
        Models = models is null ? null : new Dictionary<string, string>(models, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The provider's name.</summary>
    public string Name { get; }

    /// <summary>The provider's client.</summary>
    public IChatClient Client { get; }

    /// <summary>Model id → this provider's id, or null.</summary>
    public IReadOnlyDictionary<string, string>? Models { get; }

    /// <summary>True (default): disposing the chain disposes this client. False for clients owned elsewhere (a DI container).</summary>
    public bool DisposeWithChain { get; init; } = true;
}

/// <summary>A provider's health as the fallback chain sees it.</summary>
/// <param name="Name">The provider.</param>
/// <param name="IsHealthy">False while it is in its cooldown after a non-transient error.</param>
/// <param name="UnhealthyUntil">When the cooldown ends (a request then probes it), or null when healthy.</param>
/// <param name="LastError">The error that made it unhealthy, or null.</param>
public sealed record ProviderStatus(string Name, bool IsHealthy, DateTimeOffset? UnhealthyUntil, string? LastError);

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
