namespace PromptOps.Routing;

/// <summary>What a provider error means for the fallback chain.</summary>
public enum ProviderErrorKind
{
    /// <summary>Worth retrying on the same provider: 408, 429, 5xx, a timeout, a network error.</summary>
    Transient = 0,

    /// <summary>
    /// The provider cannot serve requests now (401, 403, 404, 402, a malformed response body): it is marked unhealthy
    /// for the cooldown and the chain moves on.
    /// </summary>
    Unhealthy = 1,

    /// <summary>This request was refused (400, 413, 422) or failed in an unknown way: the chain moves on, the provider stays healthy.</summary>
    Rejected = 2,
}
