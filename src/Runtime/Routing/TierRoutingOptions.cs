using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="TierRoutingChatClient"/> (configuration section <c>PromptOps:Routing</c>).</summary>
public sealed class TierRoutingOptions
{
    /// <summary>
    /// Tier name → model id. Starts with the defaults (fast_cheap gpt-4o-mini, balanced claude-haiku, high_quality
    /// gpt-4o, best claude-sonnet); set an entry to override it. Keys must be tier names.
    /// </summary>
    public Dictionary<string, string> Models { get; set; } = ModelTiers.All.ToDictionary(ModelTiers.GetName, ModelTiers.GetDefaultModel, StringComparer.OrdinalIgnoreCase);

    /// <summary>The problems with these options, each naming the bad value; empty when valid.</summary>
    public IEnumerable<string> GetErrors()
    {
        if (Models is null)
        {
            yield return "PromptOps:Routing:Models is null.";
            yield break;
        }

        foreach (var (tier, model) in Models)
        {
            if (!ModelTiers.TryParse(tier, out _)) yield return $"PromptOps:Routing:Models: unknown tier '{tier}'. Valid tiers: {ModelTiers.ValidNames}.";
            else if (string.IsNullOrWhiteSpace(model)) yield return $"PromptOps:Routing:Models:{tier} has no model id.";
        }
    }

    /// <summary>The model of each tier, indexed by <see cref="ModelTier"/>; tiers not configured get their default model.</summary>
    public string[] Resolve()
    {
        var errors = GetErrors().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, errors));
        var map = ModelTiers.All.Select(ModelTiers.GetDefaultModel).ToArray();
        foreach (var (tier, model) in Models) map[(int)ModelTiers.Parse(tier)] = model.Trim();
        return map;
    }

    /// <summary>A copy that can be changed without changing this instance.</summary>
    public TierRoutingOptions Clone() => new() { Models = new Dictionary<string, string>(Models, StringComparer.OrdinalIgnoreCase) };
}
