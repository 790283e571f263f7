// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible.
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// A model's list price in USD per one million tokens, as PromptOps ships it. The runtime's
    /// <c>PriceCatalog</c> starts from these and can be overridden from configuration or a LiteLLM file.
    /// </summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    sealed class ModelPriceInfo
    {
        /// <summary>Creates a price entry. Prices are USD per one million tokens.</summary>
        public ModelPriceInfo(string model, decimal inputPerMillion, decimal cachedInputPerMillion, decimal outputPerMillion,
            decimal batchDiscount, ModelTier? tier, bool selfHosted = false)
        {
            if (string.IsNullOrWhiteSpace(model)) throw new ArgumentException("The model id is empty.", nameof(model));
            if (inputPerMillion < 0) throw new ArgumentOutOfRangeException(nameof(inputPerMillion), inputPerMillion, "Price of '" + model + "' is negative.");
            if (cachedInputPerMillion < 0) throw new ArgumentOutOfRangeException(nameof(cachedInputPerMillion), cachedInputPerMillion, "Cached-input price of '" + model + "' is negative.");
            if (outputPerMillion < 0) throw new ArgumentOutOfRangeException(nameof(outputPerMillion), outputPerMillion, "Output price of '" + model + "' is negative.");
            if (batchDiscount < 0 || batchDiscount >= 1) throw new ArgumentOutOfRangeException(nameof(batchDiscount), batchDiscount, "Batch discount of '" + model + "' must be in [0, 1).");
            Model = model;
            InputPerMillion = inputPerMillion;
            CachedInputPerMillion = cachedInputPerMillion;
            OutputPerMillion = outputPerMillion;
            BatchDiscount = batchDiscount;
            Tier = tier;
            SelfHosted = selfHosted;
        }

        /// <summary>The model id (<c>gpt-4o</c>, <c>claude-haiku</c>, …).</summary>
        public string Model { get; }
        /// <summary>USD per one million uncached input tokens.</summary>
        public decimal InputPerMillion { get; }
        /// <summary>USD per one million input tokens served from the provider's prompt cache.</summary>
        public decimal CachedInputPerMillion { get; }
        /// <summary>USD per one million output tokens.</summary>
        public decimal OutputPerMillion { get; }
        /// <summary>Fraction taken off for provider batch work (0.5 = half price).</summary>
        public decimal BatchDiscount { get; }
        /// <summary>The quality tier the model belongs to, when known.</summary>
        public ModelTier? Tier { get; }
        /// <summary>A self-hosted model: zero API price, GPU cost accounted separately.</summary>
        public bool SelfHosted { get; }

        /// <summary>The cost in USD of a call, pricing <paramref name="cachedInputTokens"/> (a part of
        /// <paramref name="inputTokens"/>, as OpenAI reports them) at the cached rate.</summary>
        public decimal Cost(long inputTokens, long cachedInputTokens, long outputTokens, bool batch = false)
        {
            if (inputTokens < 0 || cachedInputTokens < 0 || outputTokens < 0)
                throw new ArgumentOutOfRangeException(nameof(inputTokens), "Token counts cannot be negative.");
            var cached = Math.Min(cachedInputTokens, inputTokens);
            var uncached = inputTokens - cached;
            var cost = (uncached * InputPerMillion + cached * CachedInputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m;
            return batch ? cost * (1 - BatchDiscount) : cost;
        }

        /// <inheritdoc />
        public override string ToString() => Model + " $" + InputPerMillion + "/$" + OutputPerMillion + " per 1M";
    }

    /// <summary>The default price table (USD per 1M tokens), shared by the runtime and the analyzers.</summary>
#if PROMPTOPS_RUNTIME
    public
#else
    internal
#endif
    static class DefaultPrices
    {
        /// <summary>
        /// List prices. Cached input: OpenAI bills cached prompt tokens at 50%, Anthropic cache reads at
        /// 10%, Gemini 1.5 context-cache reads at 25%; gpt-4-turbo has no prompt caching. Batch: 50% off.
        /// </summary>
        public static readonly IReadOnlyList<ModelPriceInfo> All = new[]
        {
            new ModelPriceInfo("gpt-4o-mini", 0.15m, 0.075m, 0.60m, 0.5m, ModelTier.FastCheap),
            new ModelPriceInfo("gpt-4o", 2.50m, 1.25m, 10.00m, 0.5m, ModelTier.HighQuality),
            new ModelPriceInfo("gpt-4-turbo", 10.00m, 10.00m, 30.00m, 0.5m, ModelTier.HighQuality),
            new ModelPriceInfo("claude-haiku", 0.25m, 0.025m, 1.25m, 0.5m, ModelTier.Balanced),
            new ModelPriceInfo("claude-sonnet", 3.00m, 0.30m, 15.00m, 0.5m, ModelTier.Best),
            new ModelPriceInfo("claude-opus", 15.00m, 1.50m, 75.00m, 0.5m, ModelTier.Best),
            new ModelPriceInfo("gemini-1.5-pro", 1.25m, 0.3125m, 5.00m, 0.5m, ModelTier.HighQuality),
            new ModelPriceInfo("gemini-1.5-flash", 0.075m, 0.01875m, 0.30m, 0.5m, ModelTier.FastCheap),
        };

        /// <summary>
        /// Provider model ids that are the same product (and price) as a catalogue entry. Besides these,
        /// an id made of a catalogue name plus a date or version suffix (<c>gpt-4o-2024-08-06</c>,
        /// <c>gpt-4o-mini-20240718</c>, <c>gpt-4o-latest</c>) resolves to that entry.
        /// </summary>
        public static readonly IReadOnlyList<KeyValuePair<string, string>> AliasPrefixes = new[]
        {
            new KeyValuePair<string, string>("claude-3-haiku", "claude-haiku"),
            new KeyValuePair<string, string>("claude-3-sonnet", "claude-sonnet"),
            new KeyValuePair<string, string>("claude-3-5-sonnet", "claude-sonnet"),
            new KeyValuePair<string, string>("claude-3-7-sonnet", "claude-sonnet"),
            new KeyValuePair<string, string>("claude-sonnet-4", "claude-sonnet"),
            new KeyValuePair<string, string>("claude-3-opus", "claude-opus"),
            new KeyValuePair<string, string>("gpt-4-turbo-preview", "gpt-4-turbo"),
        };

        /// <summary>
        /// Resolves a provider model id to a catalogue name among <paramref name="known"/>: exact match
        /// (case-insensitive), an alias prefix, or a known name followed by a date/version suffix.
        /// Returns null when the model is unknown — callers report it as unpriced, never as $0.
        /// </summary>
        public static string? ResolveName(string? modelId, Func<string, bool> known)
        {
            if (modelId == null) return null;
            var id = modelId.Trim().ToLowerInvariant();
            if (id.Length == 0) return null;
            // "openai/gpt-4o" or "models/gemini-1.5-pro": drop a provider prefix.
            var slash = id.LastIndexOf('/');
            if (slash >= 0 && slash < id.Length - 1 && !known(id)) id = id.Substring(slash + 1);
            if (known(id)) return id;

            foreach (var alias in AliasPrefixes)
            {
                if (id.StartsWith(alias.Key, StringComparison.Ordinal) && known(alias.Value)) return alias.Value;
            }

            // Longest known prefix followed by a version suffix.
            for (var cut = id.LastIndexOf('-'); cut > 0; cut = id.LastIndexOf('-', cut - 1))
            {
                var head = id.Substring(0, cut);
                if (known(head) && IsVersionSuffix(id.Substring(cut + 1))) return head;
            }
            return null;
        }

        private static bool IsVersionSuffix(string suffix)
        {
            // "2024-08-06", "20240718", "latest", "0125", "preview" style suffixes; anything with letters
            // other than these (e.g. "audio-preview", "realtime") is a different product.
            if (suffix == "latest" || suffix == "preview") return true;
            foreach (var c in suffix)
            {
                if (!(c >= '0' && c <= '9') && c != '-') return false;
            }
            return suffix.Length >= 4;
        }
    }
}
