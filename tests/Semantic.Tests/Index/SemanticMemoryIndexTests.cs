using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Caching.Semantic;

namespace PromptOps.Semantic.Tests.Index;

/// <summary>The in-memory index with hand-made vectors: TTL, byte bound with LRU eviction, partitions, the approximate index.</summary>
public sealed class SemanticMemoryIndexTests
{
    private const int Dims = 64;

    [Fact]
    public void Entries_expire_after_their_ttl()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var index = new SemanticMemoryIndex(new SemanticCacheOptions(), time);
        var v = Unit(1);
        index.Add("p", "k", "text", v, Answer("a"), TimeSpan.FromMinutes(5));

        Assert.Single(Search(index, "p", v));
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Single(Search(index, "p", v));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(Search(index, "p", v));
        Assert.Equal(0, index.Count); // the lookup removed it
        Assert.Equal(0, index.Bytes);
    }

    [Fact]
    public void Expired_entries_elsewhere_are_swept_on_a_later_add()
    {
        var time = new FakeTimeProvider();
        var index = new SemanticMemoryIndex(new SemanticCacheOptions(), time);
        for (var i = 0; i < 10; i++) index.Add("old", "k" + i, "t", Unit(i), Answer("a"), TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(2));
        index.Add("new", "n", "t", Unit(1), Answer("a"), TimeSpan.FromMinutes(10));

        Assert.Equal(1, index.Count);
        Assert.Equal(1, index.PartitionCount); // the emptied partition left
    }

    [Fact]
    public void The_byte_bound_evicts_the_least_recently_used_entry()
    {
        var per = SemanticMemoryIndex.EstimateBytes(Dims, "t", Answer("a"));
        var index = new SemanticMemoryIndex(new SemanticCacheOptions { MaxBytes = per * 3 }, new FakeTimeProvider());
        index.Add("p", "k0", "t", Unit(0), Answer("a"), TimeSpan.FromHours(1));
        index.Add("p", "k1", "t", Unit(1), Answer("a"), TimeSpan.FromHours(1));
        index.Add("q", "k2", "t", Unit(2), Answer("a"), TimeSpan.FromHours(1));
        var found = Search(index, "p", Unit(0)); // k0 used: k1 is now the least recently used
        index.Touch(found[0].Entry);
        index.Add("q", "k3", "t", Unit(3), Answer("a"), TimeSpan.FromHours(1));

        Assert.Equal(3, index.Count);
        Assert.True(index.Bytes <= per * 3);
        Assert.Single(Search(index, "p", Unit(0)));
        Assert.Empty(Search(index, "p", Unit(1)));
        Assert.Single(Search(index, "q", Unit(3)));
    }

    [Fact]
    public void Partitions_never_see_each_other_and_a_key_is_replaced_not_duplicated()
    {
        var index = new SemanticMemoryIndex(new SemanticCacheOptions(), new FakeTimeProvider());
        index.Add("p", "k", "first", Unit(5), Answer("a"), TimeSpan.FromHours(1));
        index.Add("p", "k", "second", Unit(5), Answer("b"), TimeSpan.FromHours(1));

        Assert.Empty(Search(index, "q", Unit(5)));
        var found = Search(index, "p", Unit(5));
        Assert.Single(found);
        Assert.Equal("second", found[0].Entry.Text);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Vectors_of_another_size_are_never_compared()
    {
        var index = new SemanticMemoryIndex(new SemanticCacheOptions(), new FakeTimeProvider());
        index.Add("p", "k", "t", Unit(1), Answer("a"), TimeSpan.FromHours(1));
        var other = new float[Dims * 2];
        other[1] = 1;
        Assert.Empty(Search(index, "p", other));
    }

    [Fact]
    public async Task A_large_partition_gets_an_approximate_index_that_finds_what_the_exact_scan_finds()
    {
        var options = new SemanticCacheOptions { ApproximateIndexMinEntries = 4096 };
        var index = new SemanticMemoryIndex(options, new FakeTimeProvider());
        var random = new Random(7);
        var vectors = Clustered(random, 6000, clusters: 150);
        for (var i = 0; i < vectors.Length; i++) index.Add("big", "k" + i, "t" + i, vectors[i], Answer("a"), TimeSpan.FromHours(1));
        await index.WaitForIndexesAsync();
        Assert.True(index.HasApproximateIndex("big"));

        // Queries near stored entries (what a paraphrase is): the approximate index must find the same nearest entry.
        var agree = 0;
        const int queries = 300;
        for (var q = 0; q < queries; q++)
        {
            var target = random.Next(vectors.Length);
            var query = Perturb(random, vectors[target], 0.25f);
            var expected = BruteForceBest(vectors, query);
            var found = Search(index, "big", query, minScore: 0f);
            if (found.Length > 0 && found[0].Entry.Text == "t" + expected) agree++;
        }

        Assert.True(agree >= queries * 0.95, $"approximate top-1 agreed with the exact scan on {agree} of {queries} queries");

        // Adds after training go into the index too.
        var fresh = Perturb(random, vectors[0], 0.5f);
        index.Add("big", "fresh", "fresh", fresh, Answer("a"), TimeSpan.FromHours(1));
        Assert.Equal("fresh", Search(index, "big", fresh)[0].Entry.Text);
    }

    internal static float[] Unit(int axis)
    {
        var v = new float[Dims];
        v[axis % Dims] = 1;
        return v;
    }

    private static (SemanticEntry Entry, float Score)[] Search(SemanticMemoryIndex index, string partition, float[] query, float minScore = 0.9f)
    {
        var results = new (SemanticEntry, float)[4];
        var n = index.Search(partition, query, minScore, results);
        return results[..n];
    }

    private static ChatResponse Answer(string text) => new(new ChatMessage(ChatRole.Assistant, text));

    private static float[][] Clustered(Random random, int count, int clusters)
    {
        var centres = Enumerable.Range(0, clusters).Select(_ => Normalise(Enumerable.Range(0, Dims).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())).ToArray();
        return Enumerable.Range(0, count).Select(i => Perturb(random, centres[i % clusters], 0.6f)).ToArray();
    }

    private static float[] Perturb(Random random, float[] v, float amount) =>
        Normalise(v.Select(x => x + (((float)random.NextDouble() - 0.5f) * amount / MathF.Sqrt(Dims) * 2)).ToArray());

    private static float[] Normalise(float[] v)
    {
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static int BruteForceBest(float[][] vectors, float[] query)
    {
        var best = 0;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i < vectors.Length; i++)
        {
            var s = TensorPrimitives.Dot(vectors[i], query);
            if (s > bestScore)
            {
                bestScore = s;
                best = i;
            }
        }

        return best;
    }
}
