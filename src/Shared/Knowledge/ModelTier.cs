// One source of truth for the knowledge tables: compiled into PromptOps.Runtime (public) and linked into
// the netstandard2.0 generator and analyzers (internal). Keep this file netstandard2.0-compatible.
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>The routing tiers, cheapest first. The order is meaningful: a higher value costs more.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    enum ModelTier
    {
        /// <summary><c>fast_cheap</c>: classification, sentiment, yes/no.</summary>
        FastCheap = 0,
        /// <summary><c>balanced</c>: short answers, summaries, translation.</summary>
        Balanced = 1,
        /// <summary><c>high_quality</c>: generation, code, analysis.</summary>
        HighQuality = 2,
        /// <summary><c>best</c>: contract analysis, creative writing.</summary>
        Best = 3,
    }

    /// <summary>Names, parsing and default models of <see cref="ModelTier"/>.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    static class ModelTiers
    {
        /// <summary>All tiers, cheapest first. Read-only: routing reads it, so no caller may reorder or replace a tier.</summary>
        public static readonly System.Collections.Generic.IReadOnlyList<ModelTier> All =
            System.Array.AsReadOnly(new[] { ModelTier.FastCheap, ModelTier.Balanced, ModelTier.HighQuality, ModelTier.Best });

        /// <summary>The canonical names used in attributes, configuration and metadata.</summary>
        public const string FastCheapName = "fast_cheap";
        /// <summary>Canonical name of <see cref="ModelTier.Balanced"/>.</summary>
        public const string BalancedName = "balanced";
        /// <summary>Canonical name of <see cref="ModelTier.HighQuality"/>.</summary>
        public const string HighQualityName = "high_quality";
        /// <summary>Canonical name of <see cref="ModelTier.Best"/>.</summary>
        public const string BestName = "best";

        /// <summary>The list of valid names, for error messages.</summary>
        public const string ValidNames = "fast_cheap, balanced, high_quality, best";

        /// <summary>The canonical name of a tier (<c>fast_cheap</c>, …).</summary>
        public static string GetName(ModelTier tier)
        {
            switch (tier)
            {
                case ModelTier.FastCheap: return FastCheapName;
                case ModelTier.Balanced: return BalancedName;
                case ModelTier.HighQuality: return HighQualityName;
                case ModelTier.Best: return BestName;
                default: throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier.");
            }
        }

        /// <summary>
        /// Parses a tier name. Case-insensitive; <c>-</c>, <c>_</c> and spaces are ignored, so
        /// <c>fast_cheap</c>, <c>fast-cheap</c> and <c>FastCheap</c> are the same tier.
        /// </summary>
        public static bool TryParse(string? name, out ModelTier tier)
        {
            tier = ModelTier.Balanced;
            if (name == null) return false;
            switch (Normalize(name))
            {
                case "fastcheap": tier = ModelTier.FastCheap; return true;
                case "balanced": tier = ModelTier.Balanced; return true;
                case "highquality": tier = ModelTier.HighQuality; return true;
                case "best": tier = ModelTier.Best; return true;
                default: return false;
            }
        }

        /// <summary>Parses a tier name or throws an <see cref="ArgumentException"/> that names the bad value.</summary>
        public static ModelTier Parse(string name)
        {
            if (TryParse(name, out var tier)) return tier;
            throw new ArgumentException("Unknown tier '" + name + "'. Valid tiers: " + ValidNames + ".", nameof(name));
        }

        /// <summary>
        /// The default model of each tier (overridable in options), each a catalogue entry priced today: fast_cheap
        /// <c>gpt-4o-mini</c>, balanced <c>claude-haiku-4-5</c>, high_quality <c>gpt-4.1</c>, best <c>claude-sonnet-4-5</c>
        /// (why these: docs/knowledge.md).
        /// </summary>
        public static string GetDefaultModel(ModelTier tier)
        {
            switch (tier)
            {
                case ModelTier.FastCheap: return "gpt-4o-mini";
                case ModelTier.Balanced: return "claude-haiku-4-5";
                case ModelTier.HighQuality: return "gpt-4.1";
                case ModelTier.Best: return "claude-sonnet-4-5";
                default: throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier.");
            }
        }

        internal static string Normalize(string name)
        {
            var chars = new char[name.Length];
            var n = 0;
            foreach (var c in name)
            {
                if (c == '_' || c == '-' || c == ' ') continue;
                chars[n++] = char.ToLowerInvariant(c);
            }
            return new string(chars, 0, n);
        }
    }
}
