using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>One level a cascade tried.</summary>
/// <param name="Level">The 0-based level (0 = the cheapest).</param>
/// <param name="ModelId">The model the level called (the response's model id when it reported one).</param>
/// <param name="Tier">The level's tier, when the level was configured by tier name.</param>
/// <param name="Usage">The tokens this attempt used, as the provider (or the cache) reported them.</param>
/// <param name="CacheLayer">Where the attempt's answer came from (<see cref="CacheLayer.None"/>: the provider, i.e. paid).</param>
/// <param name="Passed">The evaluator's verdict.</param>
/// <param name="Reason">The evaluator's reason, if any.</param>
public sealed record CascadeAttempt(int Level, string ModelId, ModelTier? Tier, UsageDetails? Usage, CacheLayer CacheLayer, bool Passed, string? Reason);
