namespace PromptOps.Pricing;

/// <summary>One model's price in configuration (USD per one million tokens).</summary>
public sealed class ModelPriceOptions
{
    /// <summary>USD per 1M input tokens.</summary>
    public decimal Input { get; set; }

    /// <summary>USD per 1M cached input tokens; defaults to <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; set; }

    /// <summary>USD per 1M output tokens.</summary>
    public decimal Output { get; set; }

    /// <summary>Fraction off for batch work, in [0, 1).</summary>
    public decimal BatchDiscount { get; set; }

    /// <summary>The model's tier, if known (<c>fast_cheap</c>, …).</summary>
    public string? Tier { get; set; }

    /// <summary>A self-hosted model (zero API price, GPU cost separate).</summary>
    public bool SelfHosted { get; set; }
}
