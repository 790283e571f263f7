using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// What the provider's own prompt cache saved (issue #18): over the provider calls of a period (successful, not served by
/// PromptOps' response cache), the input tokens read from the provider's cache and written to it, and their price effect —
/// the reads at the full input price minus what was paid for them, net of what the writes cost above the input price.
/// Each call is priced from the catalogue the way the ledger priced it: of the prices the call could have had (5-minute or
/// 1-hour cache writes, batch or not), the one whose cost is the ledger's <see cref="UsageRecord.CostUsd"/>.
/// </summary>
public sealed record ProviderCacheReport
{
    /// <summary>Provider calls in the period (successful, not response-cache hits).</summary>
    public required long Calls { get; init; }

    /// <summary>Calls that read from the provider's cache.</summary>
    public required long CallsWithReads { get; init; }

    /// <summary>Calls that wrote to the provider's cache.</summary>
    public required long CallsWithWrites { get; init; }

    /// <summary>Every input token of the calls.</summary>
    public required long InputTokens { get; init; }

    /// <summary>Input tokens read from the provider's cache.</summary>
    public required long CacheReadTokens { get; init; }

    /// <summary>Input tokens written to the provider's cache.</summary>
    public required long CacheWriteTokens { get; init; }

    /// <summary>What the cache reads would have cost at the full input price minus what they cost (priced calls only).</summary>
    public required decimal ReadSavingsUsd { get; init; }

    /// <summary>What the cache writes cost above the full input price (Anthropic: 25% for 5-minute writes, 100% for 1-hour writes).</summary>
    public required decimal WritePremiumUsd { get; init; }

    /// <summary>What the provider cache saved: <see cref="ReadSavingsUsd"/> − <see cref="WritePremiumUsd"/> (negative when writes were never read).</summary>
    public decimal NetSavedUsd => ReadSavingsUsd - WritePremiumUsd;

    /// <summary>What the calls cost (priced calls only).</summary>
    public required decimal CostUsd { get; init; }

    /// <summary>What the calls would have cost with every input token at the full input price: <see cref="CostUsd"/> + <see cref="NetSavedUsd"/>.</summary>
    public decimal CostWithoutCacheUsd => CostUsd + NetSavedUsd;

    /// <summary>Calls with cache reads or writes whose model has no price in the catalogue (not in the figures).</summary>
    public required long UnpricedCalls { get; init; }

    /// <summary>The share of input tokens read from the provider's cache, in [0, 1].</summary>
    public double ReadShare => InputTokens == 0 ? 0 : (double)CacheReadTokens / InputTokens;

    /// <summary>
    /// Builds the report over the records of <paramref name="period"/> (all when null), pricing with <paramref name="catalog"/>
    /// (default: the default catalogue).
    /// </summary>
    public static ProviderCacheReport Create(IEnumerable<UsageRecord> records, ReportPeriod? period = null, PriceCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        catalog ??= DefaultCatalog;
        long calls = 0, withReads = 0, withWrites = 0, input = 0, reads = 0, writes = 0, unpriced = 0;
        decimal readSavings = 0, writePremium = 0, cost = 0;
        foreach (var r in records)
        {
            if (r.CacheLayer != CacheLayer.None || r.Outcome != UsageOutcome.Success || (period is { } p && !p.Contains(r.Timestamp))) continue;
            calls++;
            input += r.InputTokens;
            reads += r.CachedInputTokens;
            writes += r.CacheWriteInputTokens;
            if (r.CachedInputTokens > 0) withReads++;
            if (r.CacheWriteInputTokens > 0) withWrites++;
            cost += r.CostUsd ?? 0;
            if (r.CachedInputTokens == 0 && r.CacheWriteInputTokens == 0) continue;
            if (!catalog.TryGetPrice(r.ModelId, out var price) || r.CostUsd is not { } paid)
            {
                unpriced++;
                continue;
            }

            var (oneHour, batch) = HowPriced(price, r, paid);
            // Reads: the full input price minus the read price; writes: the write price minus the full input price.
            var full = price.Cost(r.InputTokens, 0, 0, r.OutputTokens, batch);
            var withoutWrites = price.Cost(r.InputTokens, r.CachedInputTokens, 0, r.OutputTokens, batch);
            readSavings += full - withoutWrites;
            var writeCost = price.Cost(r.InputTokens, r.CachedInputTokens, r.CacheWriteInputTokens, r.OutputTokens, batch) - withoutWrites
                + (oneHour ? CacheWritePrices.OneHourSurcharge(price, r.InputTokens, r.CacheWriteInputTokens, batch) : 0m);
            writePremium += writeCost;
        }

        return new ProviderCacheReport
        {
            Calls = calls,
            CallsWithReads = withReads,
            CallsWithWrites = withWrites,
            InputTokens = input,
            CacheReadTokens = reads,
            CacheWriteTokens = writes,
            ReadSavingsUsd = readSavings,
            WritePremiumUsd = writePremium,
            CostUsd = cost,
            UnpricedCalls = unpriced,
        };
    }

    private static readonly PriceCatalog DefaultCatalog = new();

    /// <summary>Which of the four prices of a call (writes for 5 minutes or 1 hour; batch or not) gives the cost the ledger recorded.</summary>
    private static (bool OneHour, bool Batch) HowPriced(ModelPriceInfo price, UsageRecord r, decimal paid)
    {
        var best = (OneHour: false, Batch: false);
        var bestDistance = decimal.MaxValue;
        foreach (var batch in new[] { false, true })
        {
            foreach (var oneHour in new[] { false, true })
            {
                if (oneHour && r.CacheWriteInputTokens == 0) continue;
                var candidate = price.Cost(r.InputTokens, r.CachedInputTokens, r.CacheWriteInputTokens, r.OutputTokens, batch)
                    + (oneHour ? CacheWritePrices.OneHourSurcharge(price, r.InputTokens, r.CacheWriteInputTokens, batch) : 0m);
                var distance = Math.Abs(candidate - paid);
                if (distance < bestDistance)
                {
                    best = (oneHour, batch);
                    bestDistance = distance;
                }
            }
        }

        return best;
    }
}
