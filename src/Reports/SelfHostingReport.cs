namespace PromptOps.Reports;

/// <summary>API cost against self-hosted GPU cost for a monthly token volume, with the break-even volume.</summary>
/// <param name="MonthlyInputTokens">Input tokens per month.</param>
/// <param name="MonthlyOutputTokens">Output tokens per month.</param>
/// <param name="ApiMonthlyUsd">What the API charges for that volume.</param>
/// <param name="Replicas">Replicas needed: max(<see cref="GpuCostModel.MinReplicas"/>, ⌈GPU time needed ÷ usable time per replica⌉).</param>
/// <param name="GpuMonthlyUsd">What the replicas cost per month, fixed cost included.</param>
/// <param name="Utilization">GPU time needed ÷ GPU time paid for, in [0, 1].</param>
/// <param name="MonthlySavingsUsd">API cost − GPU cost: positive when self-hosting is cheaper.</param>
/// <param name="SelfHostingCheaper">True when the GPU cost is below the API cost.</param>
/// <param name="TokensPerReplicaMonth">Tokens (at this input/output mix) one replica serves per month at the target utilization.</param>
/// <param name="BreakEvenMonthlyTokens">
/// The smallest monthly volume (at this input/output mix and API price per token) at which self-hosting costs no more
/// than the API; null when there is none (a replica costs more than the API charges for the tokens it can serve) or no
/// volume to take the mix and price from.
/// </param>
/// <param name="Gpu">The cost model used.</param>
public sealed record SelfHostingReport(long MonthlyInputTokens, long MonthlyOutputTokens, decimal ApiMonthlyUsd, int Replicas, decimal GpuMonthlyUsd,
    double Utilization, decimal MonthlySavingsUsd, bool SelfHostingCheaper, double TokensPerReplicaMonth, long? BreakEvenMonthlyTokens, GpuCostModel Gpu);
