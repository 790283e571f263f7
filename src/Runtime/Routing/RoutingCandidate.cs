namespace PromptOps.Routing;

/// <summary>One model quality-aware routing can choose: its quality score and blended price.</summary>
/// <param name="Model">The model id.</param>
/// <param name="Quality">Its quality score (0–100).</param>
/// <param name="BlendedPricePerMillion">USD per one million tokens at three input tokens per output token.</param>
internal sealed record RoutingCandidate(string Model, int Quality, decimal BlendedPricePerMillion);
