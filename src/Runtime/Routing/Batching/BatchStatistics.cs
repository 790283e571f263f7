namespace PromptOps.Routing;

/// <summary>What a <see cref="BatchProcessor"/> did so far.</summary>
public sealed record BatchStatistics
{
    /// <summary>Items queued.</summary>
    public long Items { get; init; }

    /// <summary>Items answered by a batch call.</summary>
    public long ItemsAnsweredInBatch { get; init; }

    /// <summary>Batch calls made (two or more items in one call).</summary>
    public long BatchCalls { get; init; }

    /// <summary>Single calls made: items a batch did not answer (missing, invalid, an unparseable reply or a failed call) and batches of one.</summary>
    public long SingleCalls { get; init; }

    /// <summary>Batch calls whose reply could not be used at all (not a JSON array) or that threw.</summary>
    public long FailedBatchCalls { get; init; }

    /// <summary>Input tokens of every call, as the provider reported them.</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens of every call, as the provider reported them.</summary>
    public long OutputTokens { get; init; }

    /// <summary>
    /// The input tokens one single call spends besides its item: the instructions plus the chat framing of two
    /// messages (counted with the model's tokenizer).
    /// </summary>
    public long OverheadTokensPerRequest { get; init; }

    /// <summary>
    /// Input tokens saved: for every batch, (items it answered × <see cref="OverheadTokensPerRequest"/>) minus the
    /// batch's own overhead (instructions, the JSON answer format, item labels).
    /// </summary>
    public long OverheadTokensSaved { get; init; }

    /// <summary>What <see cref="OverheadTokensSaved"/> is worth at the model's uncached input price; null when the model has no price.</summary>
    public decimal? OverheadCostSavedUsd { get; init; }
}
