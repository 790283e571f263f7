// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible.
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// Default quality scores (0–100, higher is better) of the catalogue models, beside their prices in
    /// <see cref="DefaultPrices"/>, and the minimum quality each tier stands for. Quality-aware routing picks the
    /// cheapest model whose score meets a request's required quality. These are PromptOps' own coarse rankings (the
    /// order of the tiers in the cost guide: fast_cheap &lt; balanced &lt; high_quality &lt; best), not benchmark
    /// results; override them in configuration (<c>PromptOps:Routing:Quality</c>) with scores from your own evaluations.
    /// </summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    static class ModelQuality
    {
        /// <summary>Model id → default quality score.</summary>
        public static readonly IReadOnlyList<KeyValuePair<string, int>> Defaults = new[]
        {
            new KeyValuePair<string, int>("gemini-2.0-flash", 55),
            new KeyValuePair<string, int>("gpt-4.1-nano", 55),
            new KeyValuePair<string, int>("gemini-2.5-flash-lite", 58),
            new KeyValuePair<string, int>("gpt-4o-mini", 60),
            new KeyValuePair<string, int>("gpt-4.1-mini", 63),
            new KeyValuePair<string, int>("claude-haiku-4-5", 70),
            new KeyValuePair<string, int>("gemini-2.5-flash", 70),
            new KeyValuePair<string, int>("gpt-5-mini", 72),
            new KeyValuePair<string, int>("gpt-4-turbo", 78),
            new KeyValuePair<string, int>("gpt-4o", 80),
            new KeyValuePair<string, int>("gpt-4.1", 83),
            new KeyValuePair<string, int>("gemini-2.5-pro", 85),
            new KeyValuePair<string, int>("gpt-5", 87),
            new KeyValuePair<string, int>("claude-sonnet-4-5", 90),
            new KeyValuePair<string, int>("claude-opus-4-5", 95),
        };

        /// <summary>The quality a tier stands for: a request asking for this much gets at least a model of that tier's class.</summary>
        public static int MinimumForTier(ModelTier tier)
        {
            switch (tier)
            {
                case ModelTier.FastCheap: return 55;
                case ModelTier.Balanced: return 65;
                case ModelTier.HighQuality: return 80;
                case ModelTier.Best: return 90;
                default: throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier.");
            }
        }

        /// <summary>
        /// The default score of a catalogue model (exact, case-insensitive name, or an alias of one such as
        /// <c>claude-haiku</c>), or null when it has none.
        /// </summary>
        public static int? GetDefault(string? model)
        {
            if (model == null) return null;
            var id = model.Trim();
            foreach (var alias in DefaultPrices.Aliases)
            {
                if (string.Equals(alias.Key, id, StringComparison.OrdinalIgnoreCase)) id = alias.Value;
            }

            foreach (var kv in Defaults)
            {
                if (string.Equals(kv.Key, id, StringComparison.OrdinalIgnoreCase)) return kv.Value;
            }
            return null;
        }
    }
}

namespace PromptOps.Knowledge
{
    /// <summary>How strongly price weighs when a request states the quality it needs.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    enum BudgetSensitivity
    {
        /// <summary>The cheapest model that meets the required quality.</summary>
        High = 0,
        /// <summary>The cheapest model that meets the required quality with a margin of 5 points, else the cheapest that meets it.</summary>
        Medium = 1,
        /// <summary>The best model among the candidates; price only breaks ties.</summary>
        Low = 2,
    }
}
