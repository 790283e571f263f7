using System.Globalization;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="BatchProcessor"/>.</summary>
public sealed class BatchProcessorOptions
{
    /// <summary>The task applied to every item (the system instructions, sent once per batch instead of once per item). Required.</summary>
    public string Instructions { get; set; } = "";

    /// <summary>A batch is sent as soon as it holds this many items. Default 20.</summary>
    public int MaxBatchSize { get; set; } = 20;

    /// <summary>A batch is sent at the latest this long after its first item was queued. Default 200 ms.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The options of every call (model, metadata, …). <see cref="Microsoft.Extensions.AI.ChatOptions.MaxOutputTokens"/>
    /// is per item: a batch call gets it times the number of items, plus room for the JSON around each answer.
    /// </summary>
    public Microsoft.Extensions.AI.ChatOptions? ChatOptions { get; set; }

    /// <summary>An answer this returns false for is treated as missing and asked again in a single call.</summary>
    public Func<string, bool>? AnswerValidator { get; set; }

    /// <summary>How many single calls (for items a batch did not answer) run at once. Default 4.</summary>
    public int MaxParallelSingleCalls { get; set; } = 4;

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (string.IsNullOrWhiteSpace(Instructions)) yield return "BatchProcessorOptions.Instructions is empty; state the task applied to every item.";
        if (MaxBatchSize is < 1 or > 500) yield return string.Create(CultureInfo.InvariantCulture, $"BatchProcessorOptions.MaxBatchSize is {MaxBatchSize}; use 1 to 500.");
        if (MaxDelay <= TimeSpan.Zero) yield return $"BatchProcessorOptions.MaxDelay is {MaxDelay}; it must be positive.";
        if (MaxParallelSingleCalls < 1) yield return string.Create(CultureInfo.InvariantCulture, $"BatchProcessorOptions.MaxParallelSingleCalls is {MaxParallelSingleCalls}; it must be at least 1.");
    }
}
