using System.Collections;

namespace PromptOps.Budgets;

/// <summary>The same amount <paramref name="count"/> times (a settle's actual amount on every counter of a request), without an array.</summary>
/// <param name="value">The amount.</param>
/// <param name="count">How many counters.</param>
internal sealed class UniformAmounts(long value, int count) : IReadOnlyList<long>
{
    /// <summary>The amount of every entry.</summary>
    public long Value { get; } = value;

    /// <inheritdoc />
    public int Count { get; } = count >= 0 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "The count cannot be negative.");

    /// <inheritdoc />
    public long this[int index] => (uint)index < (uint)Count ? Value : throw new ArgumentOutOfRangeException(nameof(index), index, "No such amount.");

    /// <inheritdoc />
    public IEnumerator<long> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return Value;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
