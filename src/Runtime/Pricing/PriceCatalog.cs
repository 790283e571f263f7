using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.AI;
using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>
/// The price catalogue: USD per one million input, cached-input and output tokens plus the batch discount of
/// each model. Starts from <see cref="DefaultPrices"/>; entries can be set in code or configuration and imported
/// from LiteLLM's <c>model_prices_and_context_window.json</c>. Lookups accept provider ids with date or version
/// suffixes (<c>gpt-4o-2024-08-06</c>) and provider prefixes (<c>openai/gpt-4o</c>). An unknown model has no
/// price: <see cref="Cost(string?, long, long, long, bool)"/> returns <see cref="CallCost.Unknown"/>, never $0.
/// Thread-safe: reads see an immutable snapshot; writes replace it.
/// </summary>
public sealed class PriceCatalog
{
    private const int MaxResolvedCacheEntries = 4096;
    private readonly object _writeLock = new();
    private volatile FrozenDictionary<string, ModelPriceInfo> _entries;
    private ConcurrentDictionary<string, string?> _resolved = new(StringComparer.Ordinal);

    /// <summary>A catalogue holding the default prices.</summary>
    public PriceCatalog()
        : this(DefaultPrices.All)
    {
    }

    /// <summary>A catalogue holding exactly <paramref name="entries"/>.</summary>
    public PriceCatalog(IEnumerable<ModelPriceInfo> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var map = new Dictionary<string, ModelPriceInfo>(StringComparer.Ordinal);
        foreach (var e in entries) map[Normalize(e.Model)] = e;
        _entries = map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every entry, in no particular order.</summary>
    public IReadOnlyCollection<ModelPriceInfo> Entries => _entries.Values;

    /// <summary>Adds or replaces the price of <see cref="ModelPriceInfo.Model"/>.</summary>
    public void Set(ModelPriceInfo price)
    {
        ArgumentNullException.ThrowIfNull(price);
        SetMany([price]);
    }

    /// <summary>Adds or replaces several prices at once.</summary>
    public void SetMany(IEnumerable<ModelPriceInfo> prices)
    {
        ArgumentNullException.ThrowIfNull(prices);
        lock (_writeLock)
        {
            var map = new Dictionary<string, ModelPriceInfo>(_entries, StringComparer.Ordinal);
            foreach (var p in prices) map[Normalize(p.Model)] = p;
            _entries = map.ToFrozenDictionary(StringComparer.Ordinal);
            _resolved = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        }
    }

    /// <summary>Finds the price of <paramref name="modelId"/>; false when the model is unknown.</summary>
    public bool TryGetPrice(string? modelId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ModelPriceInfo? price)
    {
        price = null;
        if (string.IsNullOrWhiteSpace(modelId)) return false;
        var entries = _entries;
        if (entries.TryGetValue(modelId, out price)) return true;

        var resolvedCache = _resolved;
        if (!resolvedCache.TryGetValue(modelId, out var name))
        {
            name = DefaultPrices.ResolveName(modelId, entries.ContainsKey);
            if (resolvedCache.Count < MaxResolvedCacheEntries) resolvedCache.TryAdd(modelId, name);
        }

        return name is not null && entries.TryGetValue(name, out price);
    }

    /// <summary>The cost of a call at the model's ordinary (not batch) prices; see the overload with <c>batch</c>.</summary>
    public CallCost Cost(string? modelId, long inputTokens, long cachedInputTokens, long outputTokens) =>
        Cost(modelId, inputTokens, cachedInputTokens, outputTokens, batch: false);

    /// <summary>The cost of a call; <see cref="CallCost.Unknown"/> when the model has no price.</summary>
    /// <param name="modelId">The model that answered.</param>
    /// <param name="inputTokens">All input tokens, including <paramref name="cachedInputTokens"/> (OpenAI's convention).</param>
    /// <param name="cachedInputTokens">Input tokens served from the provider's prompt cache, priced at the cached rate.</param>
    /// <param name="outputTokens">Output tokens (including reasoning tokens).</param>
    /// <param name="batch">True for provider batch work: the batch discount applies.</param>
    public CallCost Cost(string? modelId, long inputTokens, long cachedInputTokens, long outputTokens, bool batch) =>
        TryGetPrice(modelId, out var price)
            ? new CallCost(price.Model, price.Cost(inputTokens, cachedInputTokens, outputTokens, batch))
            : CallCost.Unknown;

    /// <summary>
    /// The cost of a call with cache writes: <paramref name="cacheWriteInputTokens"/> are part of <paramref name="inputTokens"/>
    /// (like the cached ones) and priced at the model's cache-write price (the input price when it has none).
    /// </summary>
    public CallCost Cost(string? modelId, long inputTokens, long cachedInputTokens, long cacheWriteInputTokens, long outputTokens, bool batch) =>
        TryGetPrice(modelId, out var price)
            ? new CallCost(price.Model, price.Cost(inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, batch))
            : CallCost.Unknown;

    /// <summary>The cost of a call from its <see cref="UsageDetails"/> at the model's ordinary (not batch) prices; see the overload with <c>batch</c>.</summary>
    public CallCost Cost(string? modelId, UsageDetails? usage) => Cost(modelId, usage, batch: false);

    /// <summary>
    /// The cost of a call from its <see cref="UsageDetails"/>; missing counts are taken as 0. Cache writes are read from
    /// <see cref="UsageDetails.AdditionalCounts"/> (<see cref="ProviderUsage.CacheWriteInputTokens"/>).
    /// </summary>
    public CallCost Cost(string? modelId, UsageDetails? usage, bool batch) =>
        Cost(modelId, usage?.InputTokenCount ?? 0, usage?.CachedInputTokenCount ?? 0, ProviderUsage.CacheWriteInputTokens(usage) ?? 0, usage?.OutputTokenCount ?? 0, batch,
            ProviderUsage.CacheWriteOneHourInputTokens(usage) ?? 0);

    /// <summary>
    /// The cost of a call whose cache writes include <paramref name="oneHourWriteInputTokens"/> to the provider's 1-hour cache
    /// (a part of <paramref name="cacheWriteInputTokens"/>, at most all of it): those are priced at
    /// <see cref="CacheWritePrices.OneHourPerMillion"/> (2 × input), the other writes at the model's cache-write price.
    /// </summary>
    public CallCost Cost(string? modelId, long inputTokens, long cachedInputTokens, long cacheWriteInputTokens, long outputTokens, bool batch, long oneHourWriteInputTokens)
    {
        if (!TryGetPrice(modelId, out var price)) return CallCost.Unknown;
        var cost = price.Cost(inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, batch);
        if (oneHourWriteInputTokens > 0)
        {
            var written = Math.Min(Math.Max(0, cacheWriteInputTokens), Math.Max(0, inputTokens - Math.Min(Math.Max(0, cachedInputTokens), inputTokens)));
            cost += CacheWritePrices.OneHourSurcharge(price, inputTokens, Math.Min(oneHourWriteInputTokens, written), batch);
        }

        return new CallCost(price.Model, cost);
    }

    /// <summary>The entry of exactly <paramref name="modelId"/> (case-insensitive; no alias, prefix or date resolution), or null.</summary>
    public ModelPriceInfo? GetExact(string modelId) =>
        _entries.TryGetValue(Normalize(modelId), out var p) ? p : null;

    /// <summary>
    /// Imports LiteLLM's <c>model_prices_and_context_window.json</c> from a file; see <see cref="LiteLlmPriceImporter"/>.
    /// Imported prices replace the entries of the same id; what the file does not carry (batch discount, cache-write and
    /// long-context prices, tier) is kept from the entry it replaces.
    /// </summary>
    public LiteLlmImportResult ImportLiteLlmFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return ImportLiteLlm(stream, path);
    }

    /// <summary>Imports LiteLLM's <c>model_prices_and_context_window.json</c> format from a stream; see <see cref="ImportLiteLlmFile"/>.</summary>
    public LiteLlmImportResult ImportLiteLlm(Stream json, string? sourceName = null) => ImportLiteLlmDetailed(json, sourceName).Result;

    /// <summary>Imports a LiteLLM price map and returns the merged entries with the counts.</summary>
    public LiteLlmParseResult ImportLiteLlmDetailed(Stream json, string? sourceName = null)
    {
        var parsed = LiteLlmPriceImporter.Parse(json, sourceName, GetExact);
        SetMany(parsed.Prices);
        return parsed;
    }

    internal static string Normalize(string model) => model.Trim().ToLowerInvariant();
}
