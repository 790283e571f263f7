namespace PromptOps.Routing;

/// <summary>A classified provider error.</summary>
/// <param name="Kind">What it means for the chain.</param>
/// <param name="StatusCode">The HTTP status, when there was one.</param>
/// <param name="RetryAfter">The provider's <c>Retry-After</c> (or <c>retry-after-ms</c>), when it sent one.</param>
public readonly record struct ProviderError(ProviderErrorKind Kind, int? StatusCode, TimeSpan? RetryAfter);
