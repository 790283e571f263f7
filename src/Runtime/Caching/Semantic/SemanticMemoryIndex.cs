using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace PromptOps.Caching.Semantic;

/// <summary>
/// The in-process semantic index: one <see cref="VectorPartition"/> per partition key, every entry with a TTL, the
/// whole bounded in bytes (<see cref="SemanticCacheOptions.MaxBytes"/>) with least-recently-used eviction across
/// partitions. A lookup locks only its partition; the LRU list has its own lock, taken after a partition's, never
/// before.
/// </summary>
internal sealed class SemanticMemoryIndex
{
    private const int EntryOverheadBytes = 256;
    private readonly ConcurrentDictionary<string, VectorPartition> _partitions = new(StringComparer.Ordinal);
    private readonly LinkedList<SemanticEntry> _lru = new();
    private readonly object _lruGate = new();
    private readonly SemanticCacheOptions _options;
    private readonly TimeProvider _time;
    private long _bytes;
    private long _nextSweepTicks;

    public SemanticMemoryIndex(SemanticCacheOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Bytes held (vectors, texts, answer estimates, overhead).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Entries held across all partitions.</summary>
    public int Count
    {
        get
        {
            lock (_lruGate) return _lru.Count;
        }
    }

    public int PartitionCount => _partitions.Count;

    /// <summary>The best entries of <paramref name="partitionKey"/> with a cosine of at least <paramref name="minScore"/>, best first.</summary>
    public int Search(string partitionKey, ReadOnlySpan<float> query, float minScore, Span<(SemanticEntry Entry, float Score)> results)
    {
        if (!_partitions.TryGetValue(partitionKey, out var partition)) return 0;
        var now = _time.GetUtcNow().UtcTicks;
        var expired = new List<SemanticEntry>();
        int found;
        lock (partition)
        {
            if (partition.Dimensions != query.Length) return 0; // another embedding model: never compare
            found = partition.Search(query, minScore, now, results, expired);
        }

        foreach (var e in expired) Remove(e);
        return found;
    }

    /// <summary>Marks an entry as just used (it moves to the end the evictor takes last).</summary>
    public void Touch(SemanticEntry entry)
    {
        lock (_lruGate)
        {
            if (entry.LruNode is { List: not null } node)
            {
                _lru.Remove(node);
                _lru.AddLast(node);
            }
        }
    }

    /// <summary>Adds (or replaces, by exact key) an answer for <paramref name="text"/> in <paramref name="partitionKey"/>.</summary>
    public void Add(string partitionKey, string exactKey, string text, ReadOnlySpan<float> vector, ChatResponse response, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero) return;
        var now = _time.GetUtcNow();
        var bytes = EstimateBytes(vector.Length, text, response);
        if (bytes > _options.MaxBytes) return;

        while (true)
        {
            var partition = _partitions.GetOrAdd(partitionKey,
                static (key, o) => new VectorPartition(key, o.Dimensions, o.Options.ApproximateIndexMinEntries, o.Options.ApproximateProbes),
                (Dimensions: vector.Length, Options: _options));
            SemanticEntry? replaced = null;
            lock (partition)
            {
                if (partition.Retired) continue; // it just emptied and left the dictionary: take the new one
                if (partition.Dimensions != vector.Length) return;
                if (partition.ByKey.TryGetValue(exactKey, out replaced))
                {
                    partition.Remove(replaced);
                    partition.ByKey.Remove(exactKey);
                }

                var entry = new SemanticEntry(partition, exactKey, text, response, (now + ttl).UtcTicks, bytes);
                partition.Add(entry, vector);
                partition.ByKey[exactKey] = entry;
                lock (_lruGate)
                {
                    if (replaced?.LruNode is { List: not null } old)
                    {
                        _lru.Remove(old);
                        _bytes -= replaced.Bytes;
                    }

                    entry.LruNode = _lru.AddLast(entry);
                    _bytes += bytes;
                }

                partition.MaybeStartTraining(partition);
            }

            break;
        }

        EvictOverBudget();
        SweepExpired(now.UtcTicks);
    }

    /// <summary>Removes the entry stored for <paramref name="exactKey"/> in <paramref name="partitionKey"/>, if any.</summary>
    public void Remove(string partitionKey, string exactKey)
    {
        if (!_partitions.TryGetValue(partitionKey, out var partition)) return;
        SemanticEntry? entry;
        lock (partition)
        {
            if (!partition.ByKey.TryGetValue(exactKey, out entry)) return;
        }

        Remove(entry);
    }

    /// <summary>Waits for background index training in every partition (tests and benchmarks).</summary>
    public async Task WaitForIndexesAsync()
    {
        foreach (var p in _partitions.Values)
        {
            Task? t;
            lock (p) t = p.Training;
            if (t is not null) await t.ConfigureAwait(false);
        }
    }

    /// <summary>True when the partition has its approximate index (tests and benchmarks).</summary>
    public bool HasApproximateIndex(string partitionKey)
    {
        if (!_partitions.TryGetValue(partitionKey, out var p)) return false;
        lock (p) return p.HasApproximateIndex;
    }

    private void Remove(SemanticEntry entry)
    {
        var partition = entry.Partition;
        lock (partition)
        {
            if (entry.Slot < 0) return; // already gone
            partition.Remove(entry);
            if (partition.ByKey.TryGetValue(entry.ExactKey, out var current) && ReferenceEquals(current, entry)) partition.ByKey.Remove(entry.ExactKey);
            lock (_lruGate)
            {
                if (entry.LruNode is { List: not null } node)
                {
                    _lru.Remove(node);
                    _bytes -= entry.Bytes;
                }
            }

            if (partition.Count == 0)
            {
                partition.Retired = true;
                _partitions.TryRemove(new KeyValuePair<string, VectorPartition>(partition.Key, partition));
            }
        }
    }

    private void EvictOverBudget()
    {
        while (true)
        {
            SemanticEntry victim;
            lock (_lruGate)
            {
                if (_bytes <= _options.MaxBytes || _lru.First is null) return;
                victim = _lru.First.Value;
            }

            Remove(victim);
        }
    }

    private void SweepExpired(long nowTicks)
    {
        // At most once a minute of the index's clock: walk everything and drop what has expired.
        var next = Interlocked.Read(ref _nextSweepTicks);
        if (nowTicks < next || Interlocked.CompareExchange(ref _nextSweepTicks, nowTicks + TimeSpan.TicksPerMinute, next) != next) return;
        List<SemanticEntry> expired;
        lock (_lruGate)
        {
            expired = [.. _lru.Where(e => e.ExpiresAtTicks <= nowTicks)];
        }

        foreach (var e in expired) Remove(e);
    }

    internal static long EstimateBytes(int dimensions, string text, ChatResponse response)
    {
        long bytes = EntryOverheadBytes + (dimensions * sizeof(float)) + (text.Length * 2L) + (text.Length * 2L /* key and text copies */);
        foreach (var m in response.Messages)
        {
            bytes += 64;
            foreach (var c in m.Contents)
            {
                bytes += 48 + (c is TextContent t ? t.Text.Length * 2L : c is DataContent d ? d.Data.Length : 64);
            }
        }

        return bytes;
    }
}
