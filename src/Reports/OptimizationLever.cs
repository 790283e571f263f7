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
