using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="CascadeChatClient"/> (configuration section <c>PromptOps:Cascade</c>).</summary>
public sealed class CascadeOptions
{
    /// <summary>Adds the cascade to <c>UsePromptOps()</c>. Off by default; <c>UseCascade()</c> adds it regardless.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The levels, cheapest first: tier names (<c>fast_cheap</c>, … — the model comes from <c>PromptOps:Routing:Models</c>)
    /// or model ids. Empty (the default): the four tiers, <c>fast_cheap</c> to <c>best</c>. (Empty rather than
    /// pre-filled, because the configuration binder appends to a list that already has items.)
    /// </summary>
    public List<string> Levels { get; set; } = [];

    /// <summary>The levels in use: <see cref="Levels"/>, or the four tiers when it is empty.</summary>
    public IReadOnlyList<string> EffectiveLevels => Levels is { Count: > 0 } l ? l : [.. ModelTiers.All.Select(ModelTiers.GetName)];

    /// <summary>
    /// The evaluator for requests that carry none (<see cref="CascadeExtensions.WithCascade"/>). Null (the default):
    /// only requests that carry an evaluator are cascaded; others are routed by tier as usual. Set in code.
    /// </summary>
    public ICascadeEvaluator? DefaultEvaluator { get; set; }

    /// <summary>
    /// Start at the request's tier (<see cref="PromptOpsMetadata.Tier"/>, else its task's tier) when that tier is one of
    /// the levels, instead of at the cheapest level: an <c>analysis</c> request then starts at <c>high_quality</c>.
    /// Default false (every cascade starts at the cheapest level).
    /// </summary>
    public bool StartAtRequestTier { get; set; }

    /// <summary>
    /// When no level passes: false (default) returns the last level's answer (its attempt says it failed); true throws
    /// a <see cref="CascadeExhaustedException"/> carrying the attempts.
    /// </summary>
    public bool ThrowWhenNoLevelPasses { get; set; }

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (Levels is null)
        {
            yield return "PromptOps:Cascade:Levels is null; leave it empty for the four tiers or list tier names or model ids.";
            yield break;
        }

        for (var i = 0; i < Levels.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Levels[i])) yield return $"PromptOps:Cascade:Levels:{i} is empty.";
        }

        foreach (var dup in Levels.Where(l => !string.IsNullOrWhiteSpace(l)).GroupBy(l => ModelTiers.TryParse(l, out var t) ? ModelTiers.GetName(t) : l.Trim(), StringComparer.OrdinalIgnoreCase)
                     .Where(g => g.Count() > 1))
            yield return $"PromptOps:Cascade:Levels lists '{dup.Key}' more than once.";
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal CascadeOptions Clone() => new()
    {
        Enabled = Enabled,
        Levels = [.. Levels ?? []],
        DefaultEvaluator = DefaultEvaluator,
        ThrowWhenNoLevelPasses = ThrowWhenNoLevelPasses,
        StartAtRequestTier = StartAtRequestTier,
    };
}
