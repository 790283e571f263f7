using System.Numerics.Tensors;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// The vectors of one semantic partition: L2-normalised vectors in one contiguous array (a dot product is the cosine),
/// scanned exactly with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/> while the
/// partition is small; from <see cref="SemanticCacheOptions.ApproximateIndexMinEntries"/> entries on, an inverted-file
/// index (k-means centroids, each entry in the list of its nearest centroid) narrows a lookup to the lists of the
/// nearest centroids. The index is trained in the background on a copy and rebuilt when the partition has grown four
/// times; until it is ready, lookups scan exactly. Not thread-safe: <see cref="SemanticMemoryIndex"/> locks it.
/// </summary>
internal sealed class VectorPartition
{
    private readonly int _dimensions;
    private readonly int _approximateMin;
    private readonly int _probes;
    private float[] _vectors;
    private SemanticEntry?[] _entries;
    private int _highWater;
    private readonly Stack<int> _free = new();
    private InvertedFileIndex? _ivf;
    private Task? _training;

    public VectorPartition(string key, int dimensions, int approximateMin, int probes)
    {
        Key = key;
        _dimensions = dimensions;
        _approximateMin = approximateMin;
        _probes = probes;
        _vectors = new float[dimensions * 16];
        _entries = new SemanticEntry?[16];
    }

    public string Key { get; }

    public int Dimensions => _dimensions;

    public int Count { get; private set; }

    /// <summary>Set when the partition emptied and left the index; an add must then use a new one.</summary>
    public bool Retired { get; set; }

    public bool HasApproximateIndex => _ivf is not null;

    public Dictionary<string, SemanticEntry> ByKey { get; } = new(StringComparer.Ordinal);

    public void Add(SemanticEntry entry, ReadOnlySpan<float> vector)
    {
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            if (_highWater == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
                var grown = new float[_entries.Length * _dimensions];
                _vectors.AsSpan().CopyTo(grown);
                _vectors = grown;
            }

            slot = _highWater++;
        }

        vector.CopyTo(_vectors.AsSpan(slot * _dimensions, _dimensions));
        _entries[slot] = entry;
        entry.Slot = slot;
        Count++;
        _ivf?.Insert(slot, _vectors);
    }

    public void Remove(SemanticEntry entry)
    {
        var slot = entry.Slot;
        if (slot < 0 || slot >= _highWater || !ReferenceEquals(_entries[slot], entry)) return;
        _ivf?.Remove(slot);
        _entries[slot] = null;
        _free.Push(slot);
        entry.Slot = -1;
        Count--;
        if (Count == 0)
        {
            // Give the memory back; the next add starts small again.
            _highWater = 0;
            _free.Clear();
            _ivf = null;
            _vectors = new float[_dimensions * 16];
            _entries = new SemanticEntry?[16];
        }
    }

    /// <summary>
    /// The best <paramref name="results"/>.Length entries with a cosine of at least <paramref name="minScore"/>, best
    /// first, skipping expired ones (returned in <paramref name="expired"/> for removal). Returns how many were found.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, float minScore, long nowTicks, Span<(SemanticEntry Entry, float Score)> results, List<SemanticEntry> expired)
    {
        var top = new TopList(results);
        var ivf = _ivf;
        if (ivf is not null)
        {
            ivf.Search(query, _vectors, _dimensions, _probes, minScore, ref top, _entries, nowTicks, expired);
        }
        else
        {
            var vectors = _vectors.AsSpan();
            for (var slot = 0; slot < _highWater; slot++)
            {
                var entry = _entries[slot];
                if (entry is null) continue;
                var score = TensorPrimitives.Dot(query, vectors.Slice(slot * _dimensions, _dimensions));
                if (score < minScore || score <= top.Floor) continue;
                if (entry.ExpiresAtTicks <= nowTicks)
                {
                    expired.Add(entry);
                    continue;
                }

                top.Offer(entry, score);
            }
        }

        return top.Count;
    }

    /// <summary>
    /// Starts training the approximate index in the background when the partition has grown enough; null otherwise.
    /// Training and assigning every entry to its list run outside the lock on the arrays as they were; installing the
    /// index (under the lock) re-files only the slots that changed meanwhile.
    /// </summary>
    public Task? MaybeStartTraining(object gate)
    {
        if (_training is not null || Count < _approximateMin) return null;
        if (_ivf is not null && Count < _ivf.TrainedOn * 4) return null;

        var lists = InvertedFileIndex.ListCountFor(Count);
        var vectors = _vectors;
        var entries = _entries;
        var highWater = _highWater;
        var trainedOn = Count;
        var dims = _dimensions;
        _training = Task.Run(() =>
        {
            try
            {
                // A sample of about 16 vectors per list, copied so that concurrent writes cannot tear it.
                var sampleSize = Math.Min(trainedOn, lists * 16);
                var sample = new float[sampleSize * dims];
                var step = Math.Max(1, highWater / sampleSize);
                var taken = 0;
                for (var slot = 0; slot < highWater && taken < sampleSize; slot += step)
                {
                    if (Volatile.Read(ref entries[slot]) is null) continue;
                    vectors.AsSpan(slot * dims, dims).CopyTo(sample.AsSpan(taken * dims));
                    taken++;
                }

                if (taken == 0) return;
                var index = new InvertedFileIndex(InvertedFileIndex.Train(sample.AsSpan(0, taken * dims), dims, Math.Min(lists, taken)), dims, trainedOn);
                var filedEntry = new SemanticEntry?[highWater];
                var filedList = new int[highWater];
                for (var slot = 0; slot < highWater; slot++)
                {
                    var entry = Volatile.Read(ref entries[slot]);
                    if (entry is null) continue;
                    filedList[slot] = index.NearestList(vectors.AsSpan(slot * dims, dims));
                    filedEntry[slot] = entry;
                }

                lock (gate)
                {
                    if (Retired || Count == 0) return;
                    for (var slot = 0; slot < _highWater; slot++)
                    {
                        var entry = _entries[slot];
                        if (entry is null) continue;
                        if (slot < highWater && ReferenceEquals(filedEntry[slot], entry)) index.InsertInto(slot, filedList[slot]);
                        else index.Insert(slot, _vectors); // added or replaced while training
                    }

                    _ivf = index;
                }
            }
            finally
            {
                lock (gate) _training = null;
            }
        });
        return _training;
    }

    /// <summary>The running training task, if any (tests and benchmarks wait for it).</summary>
    public Task? Training => _training;

    internal ref struct TopList
    {
        private readonly Span<(SemanticEntry Entry, float Score)> _items;

        public TopList(Span<(SemanticEntry Entry, float Score)> items)
        {
            _items = items;
            Count = 0;
        }

        public int Count { get; private set; }

        /// <summary>The score an entry must beat to enter (the worst kept one when full).</summary>
        public readonly float Floor => Count < _items.Length ? float.NegativeInfinity : _items[Count - 1].Score;

        /// <summary>Keeps the entry when it beats <see cref="Floor"/> (the caller checks), dropping the worst kept one when full.</summary>
        public void Offer(SemanticEntry entry, float score)
        {
            if (_items.Length == 0) return;
            var i = Count < _items.Length ? Count++ : _items.Length - 1;
            while (i > 0 && _items[i - 1].Score < score)
            {
                _items[i] = _items[i - 1];
                i--;
            }

            _items[i] = (entry, score);
        }
    }
}
