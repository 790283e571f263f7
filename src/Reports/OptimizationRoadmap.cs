using System.Globalization;
using PromptOps.Knowledge;
using PromptOps.Usage;

namespace PromptOps.Reports;

/// <summary>
/// One cost lever and the share of spend it typically saves. The ranges are the cost-control guide's (the project's
/// knowledge base: DESIGN.md, docs/knowledge.md): typical outcomes reported for production workloads, not promises, and
/// each lever's saving applies to what the levers before it left.
/// </summary>
/// <param name="Name">A short name (<c>caching</c>, <c>routing</c>, …).</param>
/// <param name="Action">What to do, with the PromptOps feature or diagnostic that does it.</param>
/// <param name="LowSavings">The low end of the typical saving, a fraction of spend.</param>
/// <param name="HighSavings">The high end.</param>
public sealed record OptimizationLever(string Name, string Action, decimal LowSavings, decimal HighSavings)
{
    /// <summary>The midpoint of the range.</summary>
    public decimal MidSavings => (LowSavings + HighSavings) / 2;

    /// <summary>
    /// The levers in the order the roadmap applies them — cheapest to adopt first: response caching, tier routing,
    /// cascading, prompt compression, output limits, batching.
    /// </summary>
    public static IReadOnlyList<OptimizationLever> Defaults { get; } =
    [
        new("caching", "Cache repeated prompts: response cache with a TTL per prompt (UsePromptCache, [Prompt(CacheTtl=…)]) and a cache-friendly layout for provider prompt caching (PO0005).", 0.15m, 0.30m),
        new("routing", "Route simple tasks (classification, yes/no, short answers) to the fast_cheap tier (UseTierRouting; PO0003 flags expensive models on trivial tasks).", 0.40m, 0.70m),
        new("cascading", "Cascade: answer with the cheap model first and escalate to a stronger one only when the answer fails a check.", 0.15m, 0.25m),
        new("compression", "Compress long system prompts and context (PO0001 code fix; PO0006 flags unbounded input).", 0.10m, 0.20m),
        new("output_limits", "Set MaxOutputTokens from the task table (PO0002 code fix).", 0.10m, 0.20m),
        new("batching", "Send work that can wait to the provider's batch API (50% off).", 0.10m, 0.25m),
    ];
}

/// <summary>One step of the roadmap.</summary>
/// <param name="Order">1 for the first lever.</param>
/// <param name="Lever">The lever.</param>
/// <param name="Applicable">False when the ledger shows the lever is already used (then it is skipped in the cumulative figures).</param>
/// <param name="Evidence">What the ledger says about this lever.</param>
/// <param name="ExpectedLowUsd">The lever's low saving in USD of the period's spend, after the steps before it.</param>
/// <param name="ExpectedHighUsd">The lever's high saving in USD, after the steps before it.</param>
/// <param name="CumulativeLow">The total reduction after this step, low end: 1 − Π(1 − low) over the applicable steps so far.</param>
/// <param name="CumulativeHigh">The total reduction after this step, high end.</param>
/// <param name="CumulativeMid">The total reduction after this step at the midpoints.</param>
public sealed record RoadmapStep(int Order, OptimizationLever Lever, bool Applicable, string Evidence, decimal ExpectedLowUsd, decimal ExpectedHighUsd,
    decimal CumulativeLow, decimal CumulativeHigh, decimal CumulativeMid);

/// <summary>An ordered plan of levers to reach a target reduction of spend.</summary>
/// <param name="TargetReduction">The target, a fraction of spend in (0, 1).</param>
/// <param name="Period">The days whose spend the plan is sized on; null for an empty ledger without a requested period.</param>
/// <param name="SpendUsd">The spend of the period.</param>
/// <param name="Steps">Every lever, in order.</param>
/// <param name="StepsToTarget">How many steps, taken in order, reach the target at the midpoints of the ranges; null when all of them do not.</param>
/// <param name="TargetReachable">True when all applicable levers at the high end of their ranges reach the target.</param>
public sealed record OptimizationRoadmap(decimal TargetReduction, ReportPeriod? Period, decimal SpendUsd, IReadOnlyList<RoadmapStep> Steps, int? StepsToTarget, bool TargetReachable);

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
