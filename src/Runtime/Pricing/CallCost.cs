namespace PromptOps.Pricing;

/// <summary>The cost of one call, or the fact that the model has no price.</summary>
/// <param name="Model">The catalogue entry that priced the call, or null when the model is unknown.</param>
/// <param name="Usd">The cost in USD, or null when the model is unknown (never silently $0).</param>
public readonly record struct CallCost(string? Model, decimal? Usd)
{
    /// <summary>True when the model was found in the catalogue.</summary>
    public bool IsPriced => Usd.HasValue;

    /// <summary>An unpriced call.</summary>
    public static CallCost Unknown => default;
}
