using System.Globalization;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Reports;

public static partial class UsageReports
{
    /// <summary>Caching is counted as in use from this cache-hit rate on.</summary>
    public const decimal CachingInUseHitRate = 0.5m;

    /// <summary>Routing is counted as in use when at least this share of spend is already on the fast_cheap tier.</summary>
    public const decimal RoutingInUseShare = 0.9m;

    /// <summary>
    /// The optimization roadmap for <paramref name="targetReduction"/> (e.g. 0.5 for −50%) over <paramref name="period"/>:
    /// <paramref name="levers"/> (default <see cref="OptimizationLever.Defaults"/>) in order, each saving its range of what
    /// is left, with cumulative figures and the number of steps that reach the target. Two levers are checked against the
    /// ledger and skipped when already in use: caching (a cache-hit rate of at least <see cref="CachingInUseHitRate"/>) and
    /// routing (at least <see cref="RoutingInUseShare"/> of spend on the fast_cheap tier, by the record's tier or its
    /// model's tier in the default catalogue).
    /// </summary>
    public static OptimizationRoadmap Roadmap(IEnumerable<UsageRecord> records, decimal targetReduction, ReportPeriod? period = null, IReadOnlyList<OptimizationLever>? levers = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (targetReduction <= 0 || targetReduction >= 1) throw new ArgumentOutOfRangeException(nameof(targetReduction), targetReduction, "The target reduction must be a fraction in (0, 1), e.g. 0.5 for 50%.");
        levers ??= OptimizationLever.Defaults;
        foreach (var l in levers)
        {
            if (l.LowSavings < 0 || l.HighSavings >= 1 || l.LowSavings > l.HighSavings)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The lever '{l.Name}' has an invalid range {l.LowSavings}–{l.HighSavings} (need 0 ≤ low ≤ high < 1)."), nameof(levers));
            }
        }

        var total = new TotalsBuilder();
        decimal cheapCost = 0m;
        DateOnly? first = null, last = null;
        foreach (var r in In(records, period))
        {
            total.Add(r);
            if (IsFastCheap(r)) cheapCost += r.CostUsd ?? 0m;
            var day = DayOf(r.Timestamp);
            if (first is null || day < first) first = day;
            if (last is null || day > last) last = day;
        }

        var t = total.Build();
        var cheapShare = Share(cheapCost, t.CostUsd);
        decimal keepLow = 1m, keepHigh = 1m, keepMid = 1m;
        int? stepsToTarget = null;
        var steps = new List<RoadmapStep>(levers.Count);
        foreach (var lever in levers)
        {
            var (applicable, evidence) = lever.Name switch
            {
                "caching" => (t.Requests == 0 || t.CacheHitRate < CachingInUseHitRate, $"cache-hit rate {t.CacheHitRate:P1} of {t.Requests} requests"),
                "routing" => (t.CostUsd == 0 || cheapShare < RoutingInUseShare, $"{cheapShare:P1} of spend is on the fast_cheap tier"),
                _ => (true, "not visible in the ledger"),
            };
            decimal low = 0m, high = 0m;
            if (applicable)
            {
                low = t.CostUsd * keepLow * lever.LowSavings;
                high = t.CostUsd * keepHigh * lever.HighSavings;
                keepLow *= 1 - lever.LowSavings;
                keepHigh *= 1 - lever.HighSavings;
                keepMid *= 1 - lever.MidSavings;
            }

            steps.Add(new RoadmapStep(steps.Count + 1, lever, applicable, evidence, low, high, 1 - keepLow, 1 - keepHigh, 1 - keepMid));
            if (stepsToTarget is null && 1 - keepMid >= targetReduction) stepsToTarget = steps.Count;
        }

        return new OptimizationRoadmap(targetReduction, period ?? (first is { } f && last is { } l2 ? new ReportPeriod(f, l2) : null), t.CostUsd, steps,
            stepsToTarget, 1 - keepHigh >= targetReduction);
    }

    private static bool IsFastCheap(UsageRecord r)
    {
        if (r.Tier is { } tier) return ModelTiers.TryParse(tier, out var parsed) && parsed == ModelTier.FastCheap;
        return r.ModelId is { } model && DefaultCatalog.TryGetPrice(model, out var price) && price.Tier == ModelTier.FastCheap;
    }

    private static readonly Pricing.PriceCatalog DefaultCatalog = new();
}
