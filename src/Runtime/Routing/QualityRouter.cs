using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Routing;

/// <summary>
/// Picks the cheapest candidate model that meets a required quality. Price is compared as a blended price per one
/// million tokens, three input tokens per output token (a typical chat mix); the order of the default models is
/// the same for any mix between 1:1 and 20:1.
/// </summary>
internal sealed class QualityRouter
{
    /// <summary>The margin <see cref="BudgetSensitivity.Medium"/> asks for above the required quality.</summary>
    public const int MediumMargin = 5;

    private readonly RoutingCandidate[] _byPrice;

    /// <summary>Builds the router from the options' candidates (or tier models) and the catalogue's prices.</summary>
    /// <exception cref="ArgumentException">A candidate has no quality score or no price.</exception>
    public QualityRouter(TierRoutingOptions options, PriceCatalog prices)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(prices);
        var tierModels = options.Resolve();
        var models = options.Candidates is { Count: > 0 } c ? c.Select(m => m.Trim()) : tierModels;
        var list = new List<RoutingCandidate>();
        foreach (var model in models.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var quality = options.GetQuality(model)
                ?? throw new ArgumentException($"Routing candidate '{model}' has no quality score; set PromptOps:Routing:Quality:{model}.", nameof(options));
            if (!prices.TryGetPrice(model, out var price))
                throw new ArgumentException($"Routing candidate '{model}' has no price in the catalogue; set PromptOps:Pricing:Models:{model}.", nameof(options));
            list.Add(new RoutingCandidate(model, quality, (3 * price.InputPerMillion + price.OutputPerMillion) / 4));
        }

        _byPrice = [.. list.OrderBy(x => x.BlendedPricePerMillion).ThenByDescending(x => x.Quality).ThenBy(x => x.Model, StringComparer.Ordinal)];
    }

    /// <summary>The candidates, cheapest first.</summary>
    public IReadOnlyList<RoutingCandidate> Candidates => _byPrice;

    /// <summary>
    /// The model for a request needing <paramref name="minQuality"/>: the cheapest that meets it
    /// (<see cref="BudgetSensitivity.High"/>), the cheapest that meets it with a margin of <see cref="MediumMargin"/>
    /// when one does (<see cref="BudgetSensitivity.Medium"/>), or the best that meets it (<see cref="BudgetSensitivity.Low"/>).
    /// When no candidate meets it, the best candidate.
    /// </summary>
    public RoutingCandidate Select(int minQuality, BudgetSensitivity sensitivity = BudgetSensitivity.High)
    {
        if (_byPrice.Length == 0) throw new InvalidOperationException("Quality-aware routing has no candidate models.");
        switch (sensitivity)
        {
            case BudgetSensitivity.Low:
                return _byPrice.Where(x => x.Quality >= minQuality).OrderByDescending(x => x.Quality).FirstOrDefault() ?? Best();
            case BudgetSensitivity.Medium:
                return _byPrice.FirstOrDefault(x => x.Quality >= minQuality + MediumMargin)
                    ?? _byPrice.FirstOrDefault(x => x.Quality >= minQuality) ?? Best();
            default:
                return _byPrice.FirstOrDefault(x => x.Quality >= minQuality) ?? Best();
        }
    }

    private RoutingCandidate Best() => _byPrice.OrderByDescending(x => x.Quality).ThenBy(x => x.BlendedPricePerMillion).First();
}
