using System.Globalization;
using PromptOps.Knowledge;

namespace PromptOps.Routing;

/// <summary>Options of <see cref="TierRoutingChatClient"/> (configuration section <c>PromptOps:Routing</c>).</summary>
public sealed class TierRoutingOptions
{
    /// <summary>
    /// Tier name → model id. Starts with the defaults (fast_cheap gpt-4o-mini, balanced claude-haiku-4-5, high_quality
    /// gpt-4.1, best claude-sonnet-4-5; see docs/knowledge.md); set an entry to override it. Keys must be tier names.
    /// </summary>
    public Dictionary<string, string> Models { get; set; } = ModelTiers.All.ToDictionary(ModelTiers.GetName, ModelTiers.GetDefaultModel, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Model id → quality score (0–100) for quality-aware routing; wins over <see cref="ModelQuality.Defaults"/>.
    /// </summary>
    public Dictionary<string, int> Quality { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The models quality-aware routing (a request with <see cref="PromptOpsMetadata.MinQuality"/>) may choose from.
    /// Empty: the models of <see cref="Models"/> (the ones the provider is known to serve). Each needs a quality score
    /// (default or <see cref="Quality"/>) and a price in the catalogue.
    /// </summary>
    public List<string> Candidates { get; set; } = [];

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

        foreach (var (model, score) in Quality ?? [])
        {
            if (score is < 0 or > 100) yield return string.Create(CultureInfo.InvariantCulture, $"PromptOps:Routing:Quality:{model} is {score}; a quality score is in [0, 100].");
        }

        foreach (var model in Candidates ?? [])
        {
            if (string.IsNullOrWhiteSpace(model)) yield return "PromptOps:Routing:Candidates has an empty model id.";
            else if (GetQuality(model) is null)
                yield return $"PromptOps:Routing:Candidates: '{model}' has no quality score; set PromptOps:Routing:Quality:{model}.";
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

    /// <summary>The quality score of <paramref name="model"/>: <see cref="Quality"/>, else the default, else null.</summary>
    public int? GetQuality(string model) =>
        Quality is not null && Quality.TryGetValue(model.Trim(), out var q) ? q : ModelQuality.GetDefault(model);

    /// <summary>A copy that can be changed without changing this instance.</summary>
    internal TierRoutingOptions Clone() => new()
    {
        Models = new Dictionary<string, string>(Models, StringComparer.OrdinalIgnoreCase),
        Quality = new Dictionary<string, int>(Quality ?? [], StringComparer.OrdinalIgnoreCase),
        Candidates = [.. Candidates ?? []],
    };
}
