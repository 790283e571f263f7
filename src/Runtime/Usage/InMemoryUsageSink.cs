namespace PromptOps.Usage;

/// <summary>Keeps the most recent records in memory (bounded: the oldest are dropped beyond <see cref="Capacity"/>).</summary>
public sealed class InMemoryUsageSink : IUsageSink
{
    private readonly object _gate = new();
    private readonly Queue<UsageRecord> _records;
    private long _dropped;

    /// <summary>Creates the sink.</summary>
    /// <param name="capacity">The most records kept; must be positive.</param>
    public InMemoryUsageSink(int capacity = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _records = new Queue<UsageRecord>(Math.Min(capacity, 1024));
    }

    /// <summary>The most records kept.</summary>
    public int Capacity { get; }

    /// <summary>Records dropped because the sink was full.</summary>
    public long Dropped
    {
        get
        {
            lock (_gate) return _dropped;
        }
    }

    /// <inheritdoc />
    public void Record(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (_records.Count == Capacity)
            {
                _records.Dequeue();
                _dropped++;
            }

            _records.Enqueue(record);
        }
    }

    /// <summary>A copy of the records, oldest first.</summary>
    public IReadOnlyList<UsageRecord> Snapshot()
    {
        lock (_gate) return _records.ToArray();
    }

    /// <summary>Removes every record.</summary>
    public void Clear()
    {
        lock (_gate) _records.Clear();
    }
}
