namespace PromptOps.Caching.Semantic;

/// <summary>
/// The shared semantic index of several instances (Redis 8 / Garnet vector sets): per partition, the normalised
/// vectors of earlier user texts, each under the exact cache key whose L2 entry holds the answer. Implementations may
/// throw when the store is unreachable; the cache then continues without it, like L2.
/// </summary>
public interface ISemanticCacheStore
{
    /// <summary>A short name for logs (<c>redis-vectorset</c>).</summary>
    string Name { get; }

    /// <summary>Adds (or replaces) the entry <paramref name="exactKey"/> of <paramref name="partitionKey"/>.</summary>
    /// <param name="partitionKey">The partition (<see cref="PromptCacheKey.ComputePartition"/>).</param>
    /// <param name="exactKey">The exact cache key under which L2 holds the answer.</param>
    /// <param name="vector">The L2-normalised embedding of <paramref name="text"/>.</param>
    /// <param name="text">The user text (the guards compare it with later texts).</param>
    /// <param name="expiresAt">When the entry stops being valid.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask AddAsync(string partitionKey, string exactKey, ReadOnlyMemory<float> vector, string text, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>The nearest entries of <paramref name="partitionKey"/> to <paramref name="vector"/>, nearest first (expired ones may be included).</summary>
    ValueTask<IReadOnlyList<SemanticStoreMatch>> SearchAsync(string partitionKey, ReadOnlyMemory<float> vector, int count, CancellationToken cancellationToken);

    /// <summary>Removes the entry <paramref name="exactKey"/> of <paramref name="partitionKey"/>'s vectors of <paramref name="dimensions"/> dimensions, if present.</summary>
    ValueTask RemoveAsync(string partitionKey, string exactKey, int dimensions, CancellationToken cancellationToken);
}
