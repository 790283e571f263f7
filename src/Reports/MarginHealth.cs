namespace PromptOps.Reports;

/// <summary>How healthy the gross margin is once AI cost is counted.</summary>
public enum MarginHealth
{
    /// <summary>Gross margin at or above the healthy threshold (default 70%, a common SaaS benchmark).</summary>
    Healthy = 0,

    /// <summary>Gross margin between the watch threshold (default 50%) and the healthy one.</summary>
    Watch = 1,

    /// <summary>Gross margin below the watch threshold (including a loss).</summary>
    Unhealthy = 2,

    /// <summary>No revenue was given, so there is no margin.</summary>
    NoRevenue = 3,
}
