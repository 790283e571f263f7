namespace PromptOps.Budgets;

/// <summary>How monthly spend compares with a linear use of the monthly budget (DESIGN.md: &gt; 1.5× critical, &gt; 1.2× warning, &lt; 0.5× under-used).</summary>
public enum BudgetPaceStatus
{
    /// <summary>Spend is between 0.5× and 1.2× of the linear pace.</summary>
    OnTrack = 0,

    /// <summary>Spend is more than 1.2× the linear pace.</summary>
    Warning = 1,

    /// <summary>Spend is more than 1.5× the linear pace.</summary>
    Critical = 2,

    /// <summary>Spend is less than 0.5× the linear pace.</summary>
    UnderUsed = 3,
}
