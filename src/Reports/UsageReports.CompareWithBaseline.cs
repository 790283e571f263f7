using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>
    /// Re-prices <paramref name="records"/> (within <paramref name="period"/>) against <paramref name="baselineModel"/> and
    /// splits the saving by lever (<see cref="BaselineComparison"/>).
    /// </summary>
    /// <param name="records">The ledger's records.</param>
    /// <param name="catalog">The prices (the baseline's, and the answering models' for cache hits).</param>
    /// <param name="baselineModel">The model every request would have gone to.</param>
    /// <param name="baselineOutputTokens">Output tokens assumed per baseline answer (a baseline without limits); null: each call's own.</param>
    /// <param name="period">The days compared (default: all records).</param>
    /// <exception cref="ArgumentException">The baseline model has no price in <paramref name="catalog"/>.</exception>
    public static BaselineComparison CompareWithBaseline(IEnumerable<UsageRecord> records, PriceCatalog catalog, string baselineModel, long? baselineOutputTokens = null,
        ReportPeriod? period = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(baselineModel);
        if (baselineOutputTokens is < 0) throw new ArgumentOutOfRangeException(nameof(baselineOutputTokens), baselineOutputTokens, "The baseline's output tokens cannot be negative.");
        if (!catalog.TryGetPrice(baselineModel, out var price)) throw new ArgumentException($"The baseline model '{baselineModel}' has no price in the catalogue.", nameof(baselineModel));

        decimal Baseline(UsageRecord r, long output) => price.Cost(r.InputTokens, r.CachedInputTokens, r.CacheWriteInputTokens, output, batch: false);

        decimal baseline = 0, spent = 0, routing = 0, limits = 0, exact = 0, semantic = 0;
        long compared = 0, unpriced = 0;
        var refused = new List<UsageRecord>();
        var served = new Dictionary<string, (decimal Sum, long Count)>(StringComparer.Ordinal);
        (decimal Sum, long Count) all = (0, 0);
        foreach (var r in In(records, period))
        {
            if (r.Outcome == UsageOutcome.Refused)
            {
                refused.Add(r);
                continue;
            }

            var hit = r.CacheLayer != CacheLayer.None && r.Outcome == UsageOutcome.Success;
            var own = hit ? r.CostSavedUsd : r.CostUsd;
            if (own is not { } ownCost)
            {
                unpriced++;
                continue;
            }

            compared++;
            var sameOutput = Baseline(r, r.OutputTokens);
            var assumed = baselineOutputTokens is { } n ? Baseline(r, n) : sameOutput;
            baseline += assumed;
            limits += assumed - sameOutput;
            routing += sameOutput - ownCost;
            if (hit)
            {
                if (r.CacheLayer == CacheLayer.Semantic) semantic += ownCost;
                else exact += ownCost;
            }
            else
            {
                spent += ownCost;
            }

            var key = Key(r.Endpoint);
            served[key] = served.TryGetValue(key, out var s) ? (s.Sum + assumed, s.Count + 1) : (assumed, 1);
            all = (all.Sum + assumed, all.Count + 1);
        }

        decimal refusals = 0;
        foreach (var r in refused)
        {
            var (sum, count) = served.TryGetValue(Key(r.Endpoint), out var s) ? s : all;
            if (count > 0) refusals += sum / count;
        }

        compared += refused.Count;
        return new BaselineComparison(price.Model, baselineOutputTokens, baseline + refusals, spent, routing, limits, exact, semantic, refusals, refused.Count, compared, unpriced);
    }
}
