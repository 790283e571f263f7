using System.Numerics.Tensors;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// An inverted-file (IVF) index over the slots of a <see cref="VectorPartition"/>: k-means centroids (cosine, on
/// normalised vectors) and, per centroid, the slots nearest to it. A lookup computes the similarity to every centroid,
/// scans the lists of the <c>probes</c> nearest and so touches about <c>probes / lists</c> of the entries. It is
/// approximate: a neighbour filed under a centroid that is not probed is missed (a semantic miss, never a wrong hit).
/// </summary>
internal sealed class InvertedFileIndex
{
    private readonly float[] _centroids;
    private readonly int _dimensions;
    private readonly List<int>[] _lists;
    private readonly Dictionary<int, int> _listOfSlot = [];

    public InvertedFileIndex(float[] centroids, int dimensions, int trainedOn)
    {
        _centroids = centroids;
        _dimensions = dimensions;
        TrainedOn = trainedOn;
        _lists = new List<int>[centroids.Length / dimensions];
        for (var i = 0; i < _lists.Length; i++) _lists[i] = [];
    }

    /// <summary>The partition size the index was trained for.</summary>
    public int TrainedOn { get; }

    public int ListCount => _lists.Length;

    /// <summary>About 2√n lists (at least 64, at most 1,024): ~630 lists of ~160 entries at 100,000.</summary>
    public static int ListCountFor(int entries) => Math.Clamp(2 * (int)Math.Sqrt(entries), 64, 1024);

    public void Insert(int slot, float[] vectors) => InsertInto(slot, NearestList(vectors.AsSpan(slot * _dimensions, _dimensions)));

    /// <summary>Files <paramref name="slot"/> under a list computed earlier with <see cref="NearestList"/>.</summary>
    public void InsertInto(int slot, int list)
    {
        _lists[list].Add(slot);
        _listOfSlot[slot] = list;
    }

    /// <summary>The list whose centroid is nearest to <paramref name="vector"/>.</summary>
    public int NearestList(ReadOnlySpan<float> vector) => Nearest(vector, _centroids, _dimensions);

    public void Remove(int slot)
    {
        if (!_listOfSlot.Remove(slot, out var list)) return;
        var items = _lists[list];
        var at = items.IndexOf(slot);
        if (at < 0) return;
        items[at] = items[^1];
        items.RemoveAt(items.Count - 1);
    }

    public void Search(ReadOnlySpan<float> query, float[] vectors, int dimensions, int probes, float minScore,
        ref VectorPartition.TopList top, SemanticEntry?[] entries, long nowTicks, List<SemanticEntry> expired)
    {
        probes = Math.Min(probes, _lists.Length);
        Span<int> best = stackalloc int[probes];
        Span<float> bestScore = stackalloc float[probes];
        bestScore.Fill(float.NegativeInfinity);
        var centroids = _centroids.AsSpan();
        for (var c = 0; c < _lists.Length; c++)
        {
            var s = TensorPrimitives.Dot(query, centroids.Slice(c * _dimensions, _dimensions));
            if (s <= bestScore[probes - 1]) continue;
            var i = probes - 1;
            while (i > 0 && bestScore[i - 1] < s)
            {
                bestScore[i] = bestScore[i - 1];
                best[i] = best[i - 1];
                i--;
            }

            bestScore[i] = s;
            best[i] = c;
        }

        var all = vectors.AsSpan();
        for (var p = 0; p < probes; p++)
        {
            if (float.IsNegativeInfinity(bestScore[p])) break;
            foreach (var slot in _lists[best[p]])
            {
                var score = TensorPrimitives.Dot(query, all.Slice(slot * dimensions, dimensions));
                if (score < minScore || score <= top.Floor) continue;
                var entry = entries[slot];
                if (entry is null) continue;
                if (entry.ExpiresAtTicks <= nowTicks)
                {
                    expired.Add(entry);
                    continue;
                }

                top.Offer(entry, score);
            }
        }
    }

    /// <summary>Spherical k-means (a few Lloyd iterations from evenly spaced seeds) over the normalised sample.</summary>
    public static float[] Train(ReadOnlySpan<float> sample, int dimensions, int lists)
    {
        var n = sample.Length / dimensions;
        lists = Math.Max(1, Math.Min(lists, n));
        var centroids = new float[lists * dimensions];
        var step = n / lists;
        for (var c = 0; c < lists; c++) sample.Slice(c * step * dimensions, dimensions).CopyTo(centroids.AsSpan(c * dimensions));

        var assignment = new int[n];
        var sums = new float[lists * dimensions];
        var counts = new int[lists];
        for (var iteration = 0; iteration < 4; iteration++)
        {
            for (var i = 0; i < n; i++) assignment[i] = Nearest(sample.Slice(i * dimensions, dimensions), centroids, dimensions);
            Array.Clear(sums);
            Array.Clear(counts);
            for (var i = 0; i < n; i++)
            {
                var c = assignment[i];
                TensorPrimitives.Add(sums.AsSpan(c * dimensions, dimensions), sample.Slice(i * dimensions, dimensions), sums.AsSpan(c * dimensions, dimensions));
                counts[c]++;
            }

            for (var c = 0; c < lists; c++)
            {
                if (counts[c] == 0) continue; // an empty cluster keeps its centroid
                var centroid = sums.AsSpan(c * dimensions, dimensions);
                var norm = TensorPrimitives.Norm(centroid);
                if (norm > 0) TensorPrimitives.Divide(centroid, norm, centroids.AsSpan(c * dimensions, dimensions));
            }
        }

        return centroids;
    }

    private static int Nearest(ReadOnlySpan<float> vector, float[] centroids, int dimensions)
    {
        var best = 0;
        var bestScore = float.NegativeInfinity;
        var all = centroids.AsSpan();
        for (var c = 0; c < centroids.Length / dimensions; c++)
        {
            var s = TensorPrimitives.Dot(vector, all.Slice(c * dimensions, dimensions));
            if (s > bestScore)
            {
                bestScore = s;
                best = c;
            }
        }

        return best;
    }
}
