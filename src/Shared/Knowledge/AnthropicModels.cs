// One source of truth for the knowledge tables: compiled into PromptOps.Runtime (public) and linked into
// the netstandard2.0 generator and analyzers (internal). Keep this file netstandard2.0-compatible.
#nullable enable
using System;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// The Anthropic model of each routing tier, for code that can only reach Anthropic (its official SDK, the sample's
    /// <c>--provider anthropic</c>): the tier's default model where that is an Anthropic model (balanced
    /// <c>claude-haiku-4-5</c>, best <c>claude-sonnet-4-5</c>), else the nearest Anthropic default — fast_cheap the
    /// cheapest current Claude (<c>claude-haiku-4-5</c>), high_quality the one above it (<c>claude-sonnet-4-5</c>). Each is a
    /// catalogue entry priced today (docs/knowledge.md).
    /// </summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    static class AnthropicModels
    {
        /// <summary>The cheapest current Claude model in the catalogue: what a simple task on Anthropic should use.</summary>
        public const string Cheapest = "claude-haiku-4-5";

        /// <summary>The Anthropic model of <paramref name="tier"/>.</summary>
        public static string ForTier(ModelTier tier)
        {
            switch (tier)
            {
                case ModelTier.FastCheap:
                case ModelTier.Balanced:
                    return Cheapest;
                case ModelTier.HighQuality:
                case ModelTier.Best:
                    return "claude-sonnet-4-5";
                default:
                    throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown tier.");
            }
        }

        /// <summary>
        /// The model id an <c>Anthropic.Models.Messages.Model</c> member stands for, by the SDK's naming: words and version
        /// numbers joined with '-', lower case (<c>ClaudeOpus4_6</c> → <c>claude-opus-4-6</c>, <c>ClaudeSonnet4_5_20250929</c> →
        /// <c>claude-sonnet-4-5-20250929</c>, <c>ClaudeMythosPreview</c> → <c>claude-mythos-preview</c>).
        /// </summary>
        public static string IdOfMember(string member)
        {
#if NET
            ArgumentNullException.ThrowIfNull(member);
#else
            if (member is null) throw new ArgumentNullException(nameof(member));
#endif
            var id = new System.Text.StringBuilder(member.Length + 8);
            for (var i = 0; i < member.Length; i++)
            {
                var c = member[i];
                if (c == '_')
                {
                    id.Append('-');
                    continue;
                }

                var startsWord = i > 0 && member[i - 1] != '_' && (char.IsUpper(c) || (char.IsDigit(c) && !char.IsDigit(member[i - 1])));
                if (startsWord) id.Append('-');
                id.Append(char.ToLowerInvariant(c));
            }

            return id.ToString();
        }
    }
}
