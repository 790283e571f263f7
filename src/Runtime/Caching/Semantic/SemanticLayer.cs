using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using PromptOps.Usage;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// The semantic layer of <see cref="PromptCacheChatClient"/>: decides whether a request takes part (plain user text
/// the embedding model can represent, not turned off for the prompt), embeds the user text, looks in the in-memory
/// index and then the shared store, and lets the guards refuse near misses.
/// </summary>
internal sealed class SemanticLayer
{
    private readonly SemanticCacheOptions _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly IEmbeddingCoverage? _coverage;
    private readonly PromptOpsMetrics _metrics;

    public SemanticLayer(SemanticCacheOptions options, IEmbeddingGenerator<string, Embedding<float>> generator, TimeProvider time, PromptOpsMetrics metrics,
        ISemanticCacheStore? store)
    {
        _options = options;
        _generator = generator;
        _coverage = generator.GetService(typeof(IEmbeddingCoverage)) as IEmbeddingCoverage;
        _metrics = metrics;
        Memory = new SemanticMemoryIndex(options, time);
        Store = store;
    }

    public SemanticMemoryIndex Memory { get; }

    public ISemanticCacheStore? Store { get; }

    public SemanticCacheOptions Options => _options;

    /// <summary>The partition and user text of a request, or null (with the bypass recorded) when the layer does not apply.</summary>
    public SemanticRequest? Describe(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var meta = options.GetPromptOps();
        if (meta?.SemanticCache == false)
        {
            _metrics.SemanticBypass("disabled_for_prompt");
            return null;
        }

        var partition = PromptCacheKey.ComputePartition(messages, options, out var text);
        if (partition is null)
        {
            _metrics.SemanticBypass("not_user_text");
            return null;
        }

        if (_coverage is not null && !_coverage.CanRepresent(text))
        {
            _metrics.SemanticBypass("unrepresentable");
            return null;
        }

        var threshold = meta?.SemanticThreshold ?? _options.Threshold; // validated by PromptOpsMetadata
        return new SemanticRequest(partition, text, (float)threshold);
    }

    /// <summary>Embeds the request's text (L2-normalised); null when the generator fails or returns nothing usable.</summary>
    public async ValueTask<float[]?> EmbedAsync(string text, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<float> raw;
        try
        {
            var result = await _generator.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.Count != 1) throw new InvalidOperationException($"The embedding generator returned {result.Count} embeddings for one text.");
            raw = result[0].Vector;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception)
        {
            _metrics.SemanticBypass("embedding_failed");
            return null;
        }

        var vector = raw.ToArray();
        var norm = TensorPrimitives.Norm(vector);
        if (vector.Length == 0 || !float.IsFinite(norm) || norm == 0)
        {
            _metrics.SemanticBypass("embedding_failed");
            return null;
        }

        if (Math.Abs(norm - 1f) > 1e-4f) TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <summary>The nearest in-memory entry above the threshold that the guards accept, or null.</summary>
    public SemanticEntry? FindInMemory(SemanticRequest request, float[] vector)
    {
        Span<(SemanticEntry Entry, float Score)> found = new (SemanticEntry, float)[_options.Candidates];
        var n = Memory.Search(request.Partition, vector, request.Threshold, found);
        for (var i = 0; i < n; i++)
        {
            var entry = found[i].Entry;
            if (Accept(request.Text, entry.Text))
            {
                Memory.Touch(entry);
                return entry;
            }
        }

        return null;
    }

    /// <summary>The nearest shared-store match above the threshold, unexpired, that the guards accept, or null.</summary>
    public SemanticStoreMatch? Pick(SemanticRequest request, IReadOnlyList<SemanticStoreMatch> matches, DateTimeOffset now)
    {
        foreach (var m in matches)
        {
            if (m.Similarity < request.Threshold) break; // nearest first
            if (m.ExpiresAt <= now) continue;
            if (Accept(request.Text, m.Text)) return m;
        }

        return null;
    }

    /// <summary>Whether a verified hit's cached answer agrees with the provider's fresh one.</summary>
    public async ValueTask<bool> AgreeAsync(ChatResponse cached, ChatResponse fresh, CancellationToken cancellationToken)
    {
        var a = Normalise(cached.Text);
        var b = Normalise(fresh.Text);
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase)) return true;
        if (a.Length == 0 || b.Length == 0) return false;
        if (_coverage is not null && (!_coverage.CanRepresent(a) || !_coverage.CanRepresent(b))) return false;
        var va = await EmbedAsync(a, cancellationToken).ConfigureAwait(false);
        var vb = await EmbedAsync(b, cancellationToken).ConfigureAwait(false);
        return va is not null && vb is not null && va.Length == vb.Length && TensorPrimitives.Dot(va, vb) >= _options.AnswerAgreementThreshold;
    }

    /// <summary>True for the sampled fraction of hits that is verified against the provider.</summary>
    public bool ShouldVerify() => _options.VerifyFraction > 0 && (_options.VerifyFraction >= 1 || Random.Shared.NextDouble() < _options.VerifyFraction);

    private bool Accept(string query, string candidate)
    {
        if (SemanticGuards.AreCompatible(query, candidate, out var reason)) return true;
        _metrics.SemanticRejection(reason!);
        return false;
    }

    private static string Normalise(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
