using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Caching.Semantic;
using PromptOps.Embeddings;

namespace PromptOps.Benchmarks;

/// <summary>
/// A semantic lookup in one partition of 10,000 and 100,000 entries: PromptOps' in-memory index
/// (<see cref="SemanticMemoryIndex"/>: an exact scan below 16,384 entries, the inverted-file index above) against the
/// anchor, a brute-force <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> scan over the same
/// vectors in one contiguous array. Goal: ≤ 1 ms median at 100,000 entries.
/// <para>The vectors are synthetic (384-dimension, L2-normalised, in 2,000 clusters — embedding 100,000 real texts
/// with MiniLM would take minutes per run); queries are stored vectors moved by about what a paraphrase moves them.
/// The approximate index's recall is asserted in tests/Semantic.Tests (SemanticMemoryIndexTests).</para>
/// </summary>
[Config(typeof(SemanticConfig))]
public class SemanticLookupBenchmarks
{
    private const int Dims = 384;
    private const string Partition = "promptops:v1:part:bench";
    private readonly (SemanticEntry Entry, float Score)[] _results = new (SemanticEntry, float)[4];
    private float[] _flat = null!;
    private float[][] _queries = null!;
    private SemanticMemoryIndex _index = null!;
    private int _next;

    /// <summary>Entries in the partition.</summary>
    [Params(10_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var centres = Enumerable.Range(0, 2000).Select(_ => RandomUnit(random)).ToArray();
        _flat = new float[Entries * Dims];
        _index = new SemanticMemoryIndex(new SemanticCacheOptions { MaxBytes = 4L << 30 }, TimeProvider.System);
        var answer = new ChatResponse(new ChatMessage(ChatRole.Assistant, "answer"));
        var vectors = new float[Entries][];
        for (var i = 0; i < Entries; i++)
        {
            var v = Perturb(random, centres[i % centres.Length], 0.8f);
            vectors[i] = v;
            v.CopyTo(_flat.AsSpan(i * Dims));
            _index.Add(Partition, "k" + i, "text " + i, v, answer, TimeSpan.FromDays(1));
        }

        _index.WaitForIndexesAsync().GetAwaiter().GetResult();
        if ((Entries >= new SemanticCacheOptions().ApproximateIndexMinEntries) != _index.HasApproximateIndex(Partition))
        {
            throw new InvalidOperationException("The partition's index is not the kind expected for its size.");
        }

        _queries = Enumerable.Range(0, 256).Select(_ => Perturb(random, vectors[random.Next(Entries)], 0.3f)).ToArray();
    }

    [Benchmark(Baseline = true, Description = "brute-force TensorPrimitives.Dot scan (anchor)")]
    public float BruteForceScan()
    {
        var q = _queries[_next++ & 255];
        var best = float.NegativeInfinity;
        var all = _flat.AsSpan();
        for (var i = 0; i < Entries; i++)
        {
            var s = TensorPrimitives.Dot(q, all.Slice(i * Dims, Dims));
            if (s > best) best = s;
        }

        return best;
    }

    [Benchmark(Description = "PromptOps SemanticMemoryIndex.Search")]
    public int IndexLookup() => _index.Search(Partition, _queries[_next++ & 255], 0.85f, _results);

    private static float[] RandomUnit(Random random)
    {
        var v = new float[Dims];
        for (var i = 0; i < Dims; i++) v[i] = (float)random.NextDouble() - 0.5f;
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static float[] Perturb(Random random, float[] v, float amount)
    {
        var p = new float[Dims];
        for (var i = 0; i < Dims; i++) p[i] = v[i] + (((float)random.NextDouble() - 0.5f) * amount / MathF.Sqrt(Dims) * 2);
        TensorPrimitives.Divide(p, TensorPrimitives.Norm(p), p);
        return p;
    }
}

/// <summary>
/// What the semantic layer adds to a request. Embedding one text with the offline MiniLM generator (a short
/// question, and a ~90-token support ticket) against the anchor, computing the exact cache key of the same request
/// (what every cached request costs already). Then a whole miss through <see cref="PromptCacheChatClient"/> with the
/// semantic layer on (embed, look up, guards, store) against the anchor, the same miss with the semantic layer off.
/// The provider is an instant in-process double, so the rows show the cache's own cost, not a network call.
/// </summary>
[Config(typeof(SemanticConfig))]
public class SemanticRequestBenchmarks
{
    private const string Question = "How do I reset my password?";
    private readonly List<ChatMessage> _messages = [new(ChatRole.System, "You are a support assistant."), new(ChatRole.User, Question)];
    private readonly ChatOptions _options = new() { ModelId = "gpt-4o-mini", MaxOutputTokens = 100 };
    private MiniLmEmbeddingGenerator _generator = null!;
    private PromptCacheChatClient _exactOnly = null!;
    private PromptCacheChatClient _semantic = null!;
    private int _order;

    [GlobalSetup]
    public void Setup()
    {
        _generator = new MiniLmEmbeddingGenerator();
        var inner = new FixedChatClient();
        _exactOnly = new PromptCacheChatClient(inner, new PromptCacheOptions());
        // A bounded index (~2,000 entries at steady state, least recently used evicted): every request below is new.
        _semantic = new PromptCacheChatClient(inner, new PromptCacheOptions { Semantic = { Enabled = true, VerifyFraction = 0, MaxBytes = 8L << 20 } },
            embeddingGenerator: _generator);
        for (var i = 0; i < 3000; i++) _semantic.GetResponseAsync(Request(i), _options).GetAwaiter().GetResult();
        _order = 3000;
    }

    [Benchmark(Baseline = true, Description = "exact cache key of the request (anchor)")]
    public string? ExactKey() => PromptCacheKey.Compute(_messages, _options);

    [Benchmark(Description = "MiniLM embedding, short question (7 tokens)")]
    public float[] EmbedQuestion() => _generator.Embed(Question);

    [Benchmark(Description = "MiniLM embedding, support ticket (~90 tokens)")]
    public float[] EmbedTicket() => _generator.Embed(CacheHitBenchmarks.Ticket);

    [Benchmark(Description = "miss, semantic layer off")]
    public Task<ChatResponse> MissExactOnly() => _exactOnly.GetResponseAsync(Request(_order++), _options);

    [Benchmark(Description = "miss, semantic layer on (embed + look up + store)")]
    public Task<ChatResponse> MissWithSemantic() => _semantic.GetResponseAsync(Request(_order++), _options);

    // Every request is new to both layers: a different order number (the numbers guard also refuses near ones).
    private static List<ChatMessage> Request(int order) =>
        [new(ChatRole.System, "You are a support assistant."), new(ChatRole.User, $"What is the delivery status of order {order}?")];
}
