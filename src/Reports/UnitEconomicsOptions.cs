namespace PromptOps.Reports;

/// <summary>Thresholds and extra costs for <see cref="UsageReports.UnitEconomics"/>.</summary>
public sealed record UnitEconomicsOptions
{
    /// <summary>At or above this gross margin the health is <see cref="MarginHealth.Healthy"/> (default 0.70).</summary>
    public decimal HealthyGrossMargin { get; init; } = 0.70m;

    /// <summary>At or above this gross margin (and below the healthy one) the health is <see cref="MarginHealth.Watch"/> (default 0.50).</summary>
    public decimal WatchGrossMargin { get; init; } = 0.50m;

    /// <summary>Other cost of revenue in the same period (hosting, support, payment fees), in USD (default 0).</summary>
    public decimal OtherCostOfRevenueUsd { get; init; }
}
