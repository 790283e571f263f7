using PromptOps.Caching;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;

namespace PromptOps.Cli.Tests;

/// <summary>
/// A small SQLite ledger with figures computed by hand, written through the real <see cref="SqliteUsageSink"/>.
/// 2026-11-01 … 2026-11-10 (10 days). Every day: alice 2 calls (gpt-4o-mini, $0.01 each, 09:00, endpoint tickets.classify)
/// and 1 cache hit ($0 spent, $0.01 saved); bob 1 call (claude-haiku, $0.02, 14:00, endpoint faq). On 2026-11-08 carol
/// makes 5 calls (gpt-4o, $1.00 each, 22:00, endpoint export).
/// Totals: 45 requests, $5.40 spent, $0.10 saved. Daily series: 9 × $0.04 and $5.04 → mean $0.54, σ $1.50,
/// threshold (k = 2) $3.54, spike 2026-11-08 with z = 3.0. Users: alice $0.20, bob $0.20, carol $5.00 → the top 20%
/// (1 of 3) is carol, 5.00 / 5.40 = 92.6%. Carol's own series: mean $0.50, σ $1.50, z = 3.0. Peak hour 22.
/// </summary>
internal static class LedgerFile
{
    public static async Task<string> CreateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "promptops-ledger-" + Guid.NewGuid().ToString("N") + ".db");
        await using var sink = new SqliteUsageSink(path);
        for (var day = 1; day <= 10; day++)
        {
            var date = new DateTimeOffset(2026, 11, day, 0, 0, 0, TimeSpan.Zero);
            for (var i = 0; i < 2; i++) sink.Record(Call(date.AddHours(9).AddMinutes(i), "alice", "gpt-4o-mini", "fast_cheap", "tickets.classify", 0.01m));
            sink.Record(Call(date.AddHours(9).AddMinutes(30), "alice", "gpt-4o-mini", "fast_cheap", "tickets.classify", 0m) with { CacheLayer = CacheLayer.Memory, CostSavedUsd = 0.01m });
            sink.Record(Call(date.AddHours(14), "bob", "claude-haiku", "balanced", "faq", 0.02m));
            if (day == 8)
            {
                for (var i = 0; i < 5; i++) sink.Record(Call(date.AddHours(22).AddMinutes(i), "carol", "gpt-4o", "high_quality", "export", 1.00m));
            }
        }

        return path;
    }

    public static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file)) File.Delete(file);
        }
    }

    private static UsageRecord Call(DateTimeOffset at, string user, string model, string tier, string endpoint, decimal cost) => new()
    {
        Timestamp = at,
        UserId = user,
        ModelId = model,
        Tier = tier,
        Endpoint = endpoint,
        PromptId = endpoint,
        InputTokens = 100,
        OutputTokens = 10,
        CostUsd = cost,
        CostSavedUsd = 0m,
        IsPriced = true,
        Latency = TimeSpan.FromMilliseconds(200),
    };
}
