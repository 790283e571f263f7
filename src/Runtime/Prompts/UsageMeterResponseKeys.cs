namespace PromptOps.CodeGen;

/// <summary>Keys the usage meter writes on responses.</summary>
internal static class UsageMeterResponseKeys
{
    /// <summary>The USD cost of the call (<see cref="decimal"/>; 0 for a cache hit; absent when unpriced).</summary>
    public const string CostUsd = "promptops.cost_usd";
}
