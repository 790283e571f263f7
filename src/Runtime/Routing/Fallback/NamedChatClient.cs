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
