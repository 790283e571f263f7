using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PromptOps.Caching.Semantic;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Caching;

/// <summary>
/// Exact-match response cache: L1 in memory, L2 in a shared <see cref="IResponseCacheStore"/> (Redis).
/// <list type="bullet">
/// <item>The key is <see cref="PromptCacheKey"/>: everything that changes the answer, including the prompt version
/// and the cache scope, so entries stored under one scope are never returned for another.</item>
/// <item>The TTL comes from <see cref="PromptOpsMetadata.CacheTtl"/> or <see cref="PromptCacheOptions.DefaultTtl"/>;
/// every entry has one. <see cref="CacheTtl.None"/>, a <c>ConversationId</c> and the other cases listed on
/// <see cref="PromptCacheKey"/> bypass the cache. A request whose user messages ask about the present ("today",
/// "latest", 今日, 現在, …, see <see cref="TimeSensitivity"/>) gets <see cref="PromptCacheOptions.TimeSensitiveTtl"/> when
/// that is shorter. The TTL and why (<see cref="CacheTtlReasons"/>) are recorded on the response of the call that
/// stored the answer (<see cref="CacheTtlDecisionExtensions.GetCacheTtlDecision(ChatResponse)"/>; the usage meter
/// puts them in the ledger). With <see cref="PromptCacheOptions.AdaptiveTtl"/> on, hits extend an entry's life up to a
/// cap (see <see cref="AdaptiveTtlOptions"/>).</item>
/// <item>Concurrent identical misses call the provider once; the others get copies of its answer
/// (<see cref="CacheLayer.InFlight"/>). If that call fails, they get its exception; if it is cancelled, a waiting
/// caller that was not cancelled makes its own call.</item>
/// <item>Streaming: a complete stream is stored and later replayed as chunks; streaming misses are not coalesced.</item>
/// <item>L2 failures never fail a call: one warning per outage, L2 skipped for
/// <see cref="PromptCacheOptions.DistributedRetryInterval"/>, automatic recovery. An unreadable L2 value is a miss
/// and is overwritten.</item>
/// <item>Responses that carry server-side state (a <c>ConversationId</c> or continuation token), were stopped by
/// the content filter or were cut off at the output-token limit (<c>FinishReason</c> <c>Length</c>, for a stream that of
/// its last update) are returned but not stored, in any layer, semantic included: a cut-off answer is an outcome, not an
/// answer to replay. An L2 entry holding one (written before this rule) is a miss.</item>
/// <item>Semantic layer (off by default, <see cref="PromptCacheOptions.Semantic"/>): after L1 and L2 miss, a request
/// whose last message is plain user text is embedded and compared with earlier requests of its partition (same
/// everything else, see <see cref="PromptCacheKey.ComputePartition"/>); a close enough one that the
/// <see cref="SemanticGuards"/> accept answers it (<see cref="CacheLayer.Semantic"/>). A sampled fraction of these
/// hits is verified against the provider and feeds the false-hit-rate metric.</item>
/// </list>
/// Every hit is a fresh copy marked with its <see cref="CacheLayer"/> (read it with
/// <see cref="CacheLayerExtensions.GetCacheLayer(ChatResponse)"/>); its <c>Usage</c> is the original call's, which
/// the usage meter records as cost saved, not spent.
/// </summary>
public sealed class PromptCacheChatClient : DelegatingChatClient
{
    private readonly PromptCacheOptions _options;
    private readonly CacheEntryPolicy _policy;
    private readonly MemoryCacheTier _memory;
    private readonly DistributedCacheTier? _distributed;
    private readonly PromptOpsMetrics _metrics;
    private readonly ConcurrentDictionary<string, Task<ChatResponse>> _inFlight = new(StringComparer.Ordinal);
    private readonly SemanticCacheTier? _semantic;

    /// <summary>Creates the cache.</summary>
    /// <param name="innerClient">The client that answers misses.</param>
    /// <param name="options">Options; validated here (a bad value throws naming it).</param>
    /// <param name="distributedStore">The L2 store, or null for L1 only.</param>
    /// <param name="logger">Logger for L2 outages.</param>
    /// <param name="metrics">Instruments; <see cref="PromptOpsMetrics.Shared"/> when null.</param>
    /// <param name="embeddingGenerator">The embedding generator of the semantic layer; required when <see cref="SemanticCacheOptions.Enabled"/>.</param>
    /// <param name="semanticStore">The shared semantic index (Redis vector sets), or null for the in-memory index only; used only with an L2 store.</param>
    public PromptCacheChatClient(IChatClient innerClient, PromptCacheOptions? options = null, IResponseCacheStore? distributedStore = null,
        ILogger<PromptCacheChatClient>? logger = null, PromptOpsMetrics? metrics = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddingGenerator = null, ISemanticCacheStore? semanticStore = null)
        : base(innerClient)
    {
        _options = options?.Clone() ?? new PromptCacheOptions();
        var errors = _options.GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(options));

        _metrics = metrics ?? PromptOpsMetrics.Shared;
        _policy = new CacheEntryPolicy(_options, _metrics);
        var time = _options.TimeProvider;
        _memory = new MemoryCacheTier(_options.MemoryMaxEntries, time, _metrics);
        if (_options.UseDistributed && distributedStore is not null)
        {
            _distributed = new DistributedCacheTier(distributedStore, _options.DistributedRetryInterval, _memory, _policy, time,
                (ILogger?)logger ?? NullLogger.Instance, _metrics);
        }

        if (_options.Semantic.Enabled)
        {
            if (embeddingGenerator is null)
            {
                throw new ArgumentException(
                    "PromptOps:Cache:Semantic:Enabled is true, but no IEmbeddingGenerator<string, Embedding<float>> was given (register one, e.g. PromptOps.Embeddings.MiniLM's MiniLmEmbeddingGenerator).",
                    nameof(embeddingGenerator));
            }

            _semantic = new SemanticCacheTier(
                new SemanticLayer(_options.Semantic, embeddingGenerator, time, _metrics, _distributed is not null && _options.Semantic.UseDistributed ? semanticStore : null),
                _distributed, time, _metrics);
        }
    }

    /// <summary>The number of entries in the semantic layer's in-memory index (0 when the layer is off).</summary>
    public int SemanticCount => _semantic?.Layer.Memory.Count ?? 0;

    /// <summary>The bytes the semantic layer's in-memory index holds (0 when the layer is off).</summary>
    public long SemanticBytes => _semantic?.Layer.Memory.Bytes ?? 0;

    internal SemanticLayer? Semantic => _semantic?.Layer;

    /// <summary>True while the L2 store is considered down.</summary>
    public bool IsDistributedDown => _distributed?.IsDown ?? false;

    /// <summary>The number of entries in L1.</summary>
    public long MemoryCount => _memory.Count;

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        messages = CheckMessages(messages);
        if (!_policy.TryGetKey(ref messages, options, out var key, out var ttl))
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            if (_memory.TryGet(key, out var stored))
            {
                _metrics.CacheLookup(CacheLayer.Memory, hit: true);
                return ResponseCopier.Copy(stored, CacheLayer.Memory);
            }

            var mine = new TaskCompletionSource<ChatResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            var shared = _inFlight.GetOrAdd(key, mine.Task);
            if (shared != mine.Task)
            {
                try
                {
                    var joined = await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
                    _metrics.CacheLookup(CacheLayer.InFlight, hit: true);
                    return ResponseCopier.Copy(joined, CacheLayer.InFlight);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    continue; // the caller that made the call gave up; make our own
                }
            }

            try
            {
                // Re-check L1: an identical call may have finished between our first look and joining.
                if (_memory.TryGet(key, out var late))
                {
                    mine.TrySetResult(late);
                    _metrics.CacheLookup(CacheLayer.Memory, hit: true);
                    return ResponseCopier.Copy(late, CacheLayer.Memory);
                }

                _metrics.CacheLookup(CacheLayer.Memory, hit: false);
                var (response, layer) = await LoadAsync(key, ttl, messages, options, cancellationToken).ConfigureAwait(false);
                mine.TrySetResult(response.Snapshot);
                return layer == CacheLayer.None ? response.Original : ResponseCopier.Copy(response.Snapshot, layer);
            }
            catch (OperationCanceledException e)
            {
                mine.TrySetCanceled(e.CancellationToken);
                throw;
            }
            catch (Exception e)
            {
                mine.TrySetException(e);
                throw;
            }
            finally
            {
                _inFlight.TryRemove(new KeyValuePair<string, Task<ChatResponse>>(key, mine.Task));
            }
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        messages = CheckMessages(messages);
        if (!_options.CacheStreaming || !_policy.TryGetKey(ref messages, options, out var key, out var ttl))
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        ChatResponse? cached = null;
        var layer = CacheLayer.None;
        if (_memory.TryGet(key, out var stored))
        {
            _metrics.CacheLookup(CacheLayer.Memory, hit: true);
            cached = stored;
            layer = CacheLayer.Memory;
        }
        else
        {
            _metrics.CacheLookup(CacheLayer.Memory, hit: false);
            var fromStore = _distributed is null ? null : await _distributed.TryReadAsync(key, ttl, cancellationToken).ConfigureAwait(false);
            if (fromStore is not null)
            {
                cached = fromStore;
                layer = CacheLayer.Distributed;
            }
        }

        SemanticProbe probe = default;
        if (cached is null)
        {
            // Streams use the semantic layer too (a hit is replayed); sampled verification applies to non-streaming hits only.
            probe = _semantic is null ? default : await _semantic.ProbeAsync(messages, options, ttl, cancellationToken).ConfigureAwait(false);
            if (probe.Hit is not null)
            {
                cached = probe.Hit;
                layer = CacheLayer.Semantic;
            }
        }

        if (cached is not null)
        {
            foreach (var update in ResponseCopier.Copy(cached, layer).ToChatResponseUpdates())
            {
                PromptOpsResponseFeatures.Of(update).CacheLayer = layer;
                yield return update;
            }

            yield break;
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
            yield return update;
        }

        // Only a stream that ran to its end gets here.
        var complete = updates.ToChatResponse();
        if (CacheEntryPolicy.IsStorable(complete, options))
        {
            var snapshot = ResponseCopier.Copy(complete, marker: null);
            await StoreAsync(key, ttl, snapshot, cancellationToken).ConfigureAwait(false);
            if (_semantic is not null) await _semantic.AddAsync(probe, key, ttl.Ttl, snapshot, cancellationToken).ConfigureAwait(false);

            // The consumer has this update already but reads the decision once the stream ends (the usage meter does).
            if (updates.Count > 0) CacheTtlDecisionExtensions.Set(PromptOpsResponseFeatures.Of(updates[^1]), ttl.Ttl, ttl.Reason);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _memory.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>
    /// Where messages enter the cache: a null message or content is an <see cref="ArgumentException"/> naming its index,
    /// whether or not the request is cacheable. A one-shot enumerable is materialised so that it can still be sent.
    /// </summary>
    private static IEnumerable<ChatMessage> CheckMessages(IEnumerable<ChatMessage> messages)
    {
        if (messages is not ICollection<ChatMessage>) messages = messages.ToList();
        PromptCacheKey.ThrowIfMalformed(messages);
        return messages;
    }

    private async Task<(Loaded Response, CacheLayer Layer)> LoadAsync(string key, CacheTtlChoice ttl, IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken)
    {
        var fromStore = _distributed is null ? null : await _distributed.TryReadAsync(key, ttl, cancellationToken).ConfigureAwait(false);
        if (fromStore is not null)
        {
            return (new Loaded(fromStore, fromStore), CacheLayer.Distributed);
        }

        ChatResponse? response = null;
        var probe = _semantic is null ? default : await _semantic.ProbeAsync(messages, options, ttl, cancellationToken).ConfigureAwait(false);
        if (probe.Hit is { } similar)
        {
            if (!_semantic!.Layer.ShouldVerify())
            {
                return (new Loaded(similar, similar), CacheLayer.Semantic);
            }

            // A sampled hit: ask the provider anyway, answer with its response and record whether the two agree.
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            _metrics.SemanticVerification(await _semantic.Layer.AgreeAsync(similar, response, cancellationToken).ConfigureAwait(false));
        }

        response ??= await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var snapshot = ResponseCopier.Copy(response, marker: null);
        if (CacheEntryPolicy.IsStorable(response, options))
        {
            await StoreAsync(key, ttl, snapshot, cancellationToken).ConfigureAwait(false);
            if (_semantic is not null) await _semantic.AddAsync(probe, key, ttl.Ttl, snapshot, cancellationToken).ConfigureAwait(false);
            CacheTtlDecisionExtensions.Set(PromptOpsResponseFeatures.Of(response), ttl.Ttl, ttl.Reason);
        }

        return (new Loaded(response, snapshot), CacheLayer.None);
    }

    private async Task StoreAsync(string key, CacheTtlChoice ttl, ChatResponse snapshot, CancellationToken cancellationToken)
    {
        _memory.Set(key, snapshot, ttl.Ttl, ttl.Extendable ? _policy.Extension(ttl.Ttl) : TimeSpan.Zero, ttl.Extendable ? _policy.Cap(ttl.Ttl) : ttl.Ttl);
        if (_distributed is not null) await _distributed.StoreAsync(key, ttl, snapshot, cancellationToken).ConfigureAwait(false);
    }

    private readonly record struct Loaded(ChatResponse Original, ChatResponse Snapshot);
}
