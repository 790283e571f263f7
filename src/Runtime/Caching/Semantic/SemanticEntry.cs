using Microsoft.Extensions.AI;

namespace PromptOps.Caching.Semantic;

/// <summary>One cached answer in the semantic index: the user text it answered, its exact key, the answer, its expiry and size.</summary>
internal sealed class SemanticEntry(VectorPartition partition, string exactKey, string text, ChatResponse response, long expiresAtTicks, long bytes)
{
    public VectorPartition Partition { get; } = partition;

    public string ExactKey { get; } = exactKey;

    public string Text { get; } = text;

    public ChatResponse Response { get; } = response;

    /// <summary>Expiry as <see cref="DateTimeOffset.UtcTicks"/>.</summary>
    public long ExpiresAtTicks { get; } = expiresAtTicks;

    public long Bytes { get; } = bytes;

    /// <summary>The slot in the partition's arrays; -1 once removed.</summary>
    public int Slot { get; set; } = -1;

    public LinkedListNode<SemanticEntry>? LruNode { get; set; }
}
