using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// How conversations grow (issue #18): per conversation id in the ledger (schema 4, <see cref="UsageRecord.ConversationId"/>),
/// its provider calls in time order and the input tokens of the first, the last and the largest — a history sent whole
/// every turn shows as a last turn many times the first.
/// </summary>
public sealed record ConversationReport
{
    /// <summary>The conversations with the most input tokens first (at most the top asked for).</summary>
    public required IReadOnlyList<ConversationGrowth> Conversations { get; init; }

    /// <summary>Conversations in the period (before the top is kept).</summary>
    public required int Count { get; init; }

    /// <summary>Builds the report over the records of <paramref name="period"/> that name a conversation (provider calls only: cache hits send nothing).</summary>
    public static ConversationReport Create(IEnumerable<UsageRecord> records, ReportPeriod? period = null, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var groups = records
            .Where(r => !string.IsNullOrEmpty(r.ConversationId) && r.CacheLayer == Caching.CacheLayer.None && r.Outcome == UsageOutcome.Success
                && (period is not { } p || p.Contains(r.Timestamp)))
            .GroupBy(r => r.ConversationId!, StringComparer.Ordinal)
            .Select(g =>
            {
                var turns = g.OrderBy(r => r.Timestamp).ToList();
                return new ConversationGrowth
                {
                    ConversationId = g.Key,
                    Calls = turns.Count,
                    FirstInputTokens = turns[0].InputTokens,
                    LastInputTokens = turns[^1].InputTokens,
                    MaxInputTokens = turns.Max(r => r.InputTokens),
                    TotalInputTokens = turns.Sum(r => r.InputTokens),
                    CostUsd = turns.Sum(r => r.CostUsd ?? 0),
                };
            })
            .ToList();
        return new ConversationReport
        {
            Count = groups.Count,
            Conversations = [.. groups.OrderByDescending(c => c.TotalInputTokens).ThenBy(c => c.ConversationId, StringComparer.Ordinal).Take(top)],
        };
    }
}
