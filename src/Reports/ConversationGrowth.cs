namespace PromptOps.Reports;

/// <summary>One conversation's growth in a <see cref="ConversationReport"/>.</summary>
public sealed record ConversationGrowth
{
    /// <summary>The conversation id.</summary>
    public required string ConversationId { get; init; }

    /// <summary>Provider calls (turns, and the calls of tool loops and summaries inside them).</summary>
    public required int Calls { get; init; }

    /// <summary>Input tokens of the first call.</summary>
    public required long FirstInputTokens { get; init; }

    /// <summary>Input tokens of the last call.</summary>
    public required long LastInputTokens { get; init; }

    /// <summary>The largest input of a call.</summary>
    public required long MaxInputTokens { get; init; }

    /// <summary>Input tokens of every call.</summary>
    public required long TotalInputTokens { get; init; }

    /// <summary>What its calls cost (priced ones).</summary>
    public required decimal CostUsd { get; init; }

    /// <summary>The last call's input over the first's (1 when the first had none).</summary>
    public double Growth => FirstInputTokens > 0 ? (double)LastInputTokens / FirstInputTokens : 1;
}
