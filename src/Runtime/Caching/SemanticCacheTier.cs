using Microsoft.Extensions.AI;
using PromptOps.Caching.Semantic;
using PromptOps.Usage;

namespace PromptOps.Caching;

/// <summary>
/// The semantic layer of <see cref="PromptCacheChatClient"/>, asked after L1 and L2 miss: a request is embedded and
/// answered by a close enough earlier request of its partition, from the in-memory index or the shared one (whose
/// answers live in L2, under the outage guard of <see cref="DistributedCacheTier"/>). Time-sensitive requests neither
/// use nor feed it. Thread-safe.
/// </summary>
internal sealed class SemanticCacheTier
{
    private readonly SemanticLayer _layer;
    private readonly DistributedCacheTier? _distributed;
    private readonly TimeProvider _time;
    private readonly PromptOpsMetrics _metrics;

    /// <summary>Creates the tier.</summary>
    /// <param name="layer">The embedding, indexes, guards and verification of the semantic layer.</param>
    /// <param name="distributed">L2, which holds the answers of the shared index; null without one.</param>
    /// <param name="time">The clock of expiries.</param>
    /// <param name="metrics">Instruments; semantic lookups and bypasses are counted here.</param>
    public SemanticCacheTier(SemanticLayer layer, DistributedCacheTier? distributed, TimeProvider time, PromptOpsMetrics metrics)
    {
        _layer = layer;
        _distributed = distributed;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>The semantic layer itself (its in-memory index, verification sampling).</summary>
    public SemanticLayer Layer => _layer;

    /// <summary>The semantic layer's look-up: which request it is, its vector, and the answer of a similar one if any.</summary>
    public async ValueTask<SemanticProbe> ProbeAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CacheTtlChoice ttl, CancellationToken cancellationToken)
    {
        if (ttl.TimeSensitive)
        {
            // A similar earlier question may be weeks old ("What is the rate?" cached for a month answering "… today?"):
            // time-sensitive requests neither use nor feed the semantic layer.
            _metrics.SemanticBypass("time_sensitive");
            return default;
        }

        var request = _layer.Describe(messages, options);
        if (request is null) return default;
        var vector = await _layer.EmbedAsync(request.Text, cancellationToken).ConfigureAwait(false);
        if (vector is null) return default;

        var entry = _layer.FindInMemory(request, vector);
        if (entry is not null)
        {
            _metrics.CacheLookup(CacheLayer.Semantic, hit: true);
            return new SemanticProbe(request, vector, entry.Response);
        }

        var shared = await FindSharedAsync(request, vector, ttl, cancellationToken).ConfigureAwait(false);
        _metrics.CacheLookup(CacheLayer.Semantic, hit: shared is not null);
        return new SemanticProbe(request, vector, shared);
    }

    /// <summary>
    /// Adds the probed request's vector under <paramref name="key"/> (the exact key of the stored answer) for
    /// <paramref name="ttl"/>: to the in-memory index, and to the shared index when there is one and L2 is up. Nothing
    /// for a request the probe did not embed.
    /// </summary>
    public async ValueTask AddAsync(SemanticProbe probe, string key, TimeSpan ttl, ChatResponse snapshot, CancellationToken cancellationToken)
    {
        if (probe.Request is not { } request || probe.Vector is not { } vector || ttl <= TimeSpan.Zero) return;
        _layer.Memory.Add(request.Partition, key, request.Text, vector, snapshot, ttl);
        if (_layer.Store is not { } store || _distributed is null || !_distributed.Guard.ShouldTry()) return;
        try
        {
            await store.AddAsync(request.Partition, key, vector, request.Text, _time.GetUtcNow() + ttl, cancellationToken).ConfigureAwait(false);
            _distributed.Guard.Succeeded();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The answer is in memory already; the caller is gone.
        }
        catch (Exception e)
        {
            _distributed.Guard.Failed(e);
        }
    }

    /// <summary>The shared index's look-up: the L2 answer of the best match the guards accept; a match whose answer left L2 is removed.</summary>
    private async ValueTask<ChatResponse?> FindSharedAsync(SemanticRequest request, float[] vector, CacheTtlChoice ttl, CancellationToken cancellationToken)
    {
        if (_layer.Store is not { } store || _distributed is null || !_distributed.Guard.ShouldTry()) return null;
        IReadOnlyList<SemanticStoreMatch> matches;
        try
        {
            matches = await store.SearchAsync(request.Partition, vector, _layer.Options.Candidates, cancellationToken).ConfigureAwait(false);
            _distributed.Guard.Succeeded();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            _distributed.Guard.Failed(e);
            return null;
        }

        if (_layer.Pick(request, matches, _time.GetUtcNow()) is not { } match) return null;
        var answer = await _distributed.TryReadAsync(match.ExactKey, ttl, cancellationToken, recordLookup: false).ConfigureAwait(false);
        if (answer is not null) return answer;

        // The answer left L2 (expired or evicted): the vector is stale.
        try
        {
            await store.RemoveAsync(request.Partition, match.ExactKey, vector.Length, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _distributed.Guard.Failed(e);
        }

        return null;
    }
}
