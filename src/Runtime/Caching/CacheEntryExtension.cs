namespace PromptOps.Caching;

/// <summary>The outcome of <see cref="IResponseCacheStore.ExtendAsync"/>.</summary>
/// <param name="Remaining">How long the entry lives from now on.</param>
/// <param name="Extended">True when the call moved the expiry (false: it was at its cap already).</param>
public readonly record struct CacheEntryExtension(TimeSpan Remaining, bool Extended);
