using PromptOps.Knowledge;

namespace PromptOps.Pricing;

/// <summary>
/// The prices of writing to a provider's prompt cache, by how long the entry lives. Anthropic bills a write to its 5-minute
/// cache at 1.25 × the input price (the catalogue's <see cref="ModelPriceInfo.CacheWritePerMillion"/>) and a write to its
/// 1-hour cache at 2 × the input price (https://platform.claude.com/docs/en/build-with-claude/prompt-caching, "Pricing").
/// </summary>
public static class CacheWritePrices
{
    /// <summary>A 1-hour cache write costs this many times the input price.</summary>
    public const decimal OneHourMultiplier = 2m;

    /// <summary>A 5-minute cache write costs this many times the input price (the catalogue's cache-write price, when it has one, wins).</summary>
    public const decimal FiveMinuteMultiplier = 1.25m;

    /// <summary>USD per one million input tokens written to the 1-hour cache: 2 × <paramref name="price"/>'s input price (at <paramref name="inputTokens"/>, so long-context input prices apply above their threshold).</summary>
    public static decimal OneHourPerMillion(ModelPriceInfo price, long inputTokens = 0)
    {
        ArgumentNullException.ThrowIfNull(price);
        return OneHourMultiplier * InputPerMillion(price, inputTokens);
    }

    /// <summary>
    /// What <paramref name="oneHourWriteTokens"/> cost on top of the same tokens priced as 5-minute writes, in USD (batch
    /// discount applied when <paramref name="batch"/>). Add it to <see cref="ModelPriceInfo.Cost(long, long, long, long, bool)"/>
    /// called with every write in its cache-write count.
    /// </summary>
    public static decimal OneHourSurcharge(ModelPriceInfo price, long inputTokens, long oneHourWriteTokens, bool batch)
    {
        ArgumentNullException.ThrowIfNull(price);
        if (oneHourWriteTokens <= 0) return 0m;
        var input = InputPerMillion(price, inputTokens);
        var fiveMinute = price.LongContext is { } lc && inputTokens > lc.ThresholdTokens
            ? lc.CacheWritePerMillion ?? price.CacheWritePerMillion ?? input
            : price.CacheWritePerMillion ?? input;
        var surcharge = oneHourWriteTokens * (OneHourMultiplier * input - fiveMinute) / 1_000_000m;
        return batch ? surcharge * (1 - price.BatchDiscount) : surcharge;
    }

    private static decimal InputPerMillion(ModelPriceInfo price, long inputTokens) =>
        price.LongContext is { } lc && inputTokens > lc.ThresholdTokens ? lc.InputPerMillion : price.InputPerMillion;
}
