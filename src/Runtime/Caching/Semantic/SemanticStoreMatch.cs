namespace PromptOps.Caching.Semantic;

/// <summary>One entry found by <see cref="ISemanticCacheStore.SearchAsync"/>.</summary>
/// <param name="ExactKey">The exact cache key under which L2 holds the answer.</param>
/// <param name="Text">The user text the entry answered.</param>
/// <param name="Similarity">The cosine similarity to the query.</param>
/// <param name="ExpiresAt">When the entry stops being valid.</param>
public readonly record struct SemanticStoreMatch(string ExactKey, string Text, float Similarity, DateTimeOffset ExpiresAt);
