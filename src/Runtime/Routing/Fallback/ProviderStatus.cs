namespace PromptOps.Routing;

/// <summary>A provider's health as the fallback chain sees it.</summary>
/// <param name="Name">The provider.</param>
/// <param name="IsHealthy">False while it is in its cooldown after a non-transient error.</param>
/// <param name="UnhealthyUntil">When the cooldown ends (a request then probes it), or null when healthy.</param>
/// <param name="LastError">The error that made it unhealthy, or null.</param>
public sealed record ProviderStatus(string Name, bool IsHealthy, DateTimeOffset? UnhealthyUntil, string? LastError);
