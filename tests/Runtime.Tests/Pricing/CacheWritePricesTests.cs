using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Pricing;

namespace PromptOps.Tests.Pricing;

/// <summary>The 1-hour cache-write price (2 × input) next to the 5-minute one (the catalogue's, 1.25 × input for Anthropic).</summary>
public sealed class CacheWritePricesTests
{
    private readonly PriceCatalog _prices = new();

    [Fact]
    public void One_hour_writes_cost_twice_the_input_price_and_five_minute_writes_the_catalogues_price()
    {
        // claude-sonnet-4-5: input 3.00, cache read 0.30, 5-minute write 3.75, output 15.00 per 1M tokens.
        Assert.True(_prices.TryGetPrice("claude-sonnet-4-5", out var sonnet));
        Assert.Equal(6.00m, CacheWritePrices.OneHourPerMillion(sonnet));
        Assert.Equal(CacheWritePrices.FiveMinuteMultiplier * sonnet.InputPerMillion, sonnet.CacheWritePerMillion);

        // 1,000 uncached + 2,000 read + 4,000 written (of which 1,000 to the 1-hour cache) + 100 output.
        var cost = _prices.Cost("claude-sonnet-4-5", 7000, 2000, 4000, 100, batch: false, oneHourWriteInputTokens: 1000);
        Assert.Equal((1000 * 3.00m + 2000 * 0.30m + 3000 * 3.75m + 1000 * 6.00m + 100 * 15.00m) / 1_000_000m, cost.Usd);
        Assert.Equal("claude-sonnet-4-5", cost.Model);
    }

    [Fact]
    public void The_usage_key_of_one_hour_writes_is_read_and_priced()
    {
        var usage = ProviderUsage.FromAnthropic(100, 0, 2000, 10);
        usage.AdditionalCounts![ProviderUsage.CacheWriteOneHourInputTokensKey] = 2000;

        Assert.Equal(2000, ProviderUsage.CacheWriteOneHourInputTokens(usage));
        Assert.Equal((100 * 3.00m + 2000 * 6.00m + 10 * 15.00m) / 1_000_000m, _prices.Cost("claude-sonnet-4-5", usage).Usd);
        Assert.Null(ProviderUsage.CacheWriteOneHourInputTokens(new UsageDetails()));
    }

    [Fact]
    public void One_hour_writes_are_never_more_than_the_writes_and_take_the_batch_discount()
    {
        var full = _prices.Cost("claude-sonnet-4-5", 3000, 0, 1000, 0, batch: false, oneHourWriteInputTokens: 1000).Usd;
        Assert.Equal(full, _prices.Cost("claude-sonnet-4-5", 3000, 0, 1000, 0, batch: false, oneHourWriteInputTokens: 5000).Usd);
        Assert.Equal(full * 0.5m, _prices.Cost("claude-sonnet-4-5", 3000, 0, 1000, 0, batch: true, oneHourWriteInputTokens: 1000).Usd);
        Assert.Equal(CallCost.Unknown, _prices.Cost("no-such-model", 3000, 0, 1000, 0, batch: false, oneHourWriteInputTokens: 1000));
    }

    [Fact]
    public void Above_the_long_context_threshold_the_one_hour_price_follows_the_long_context_input_price()
    {
        // claude-sonnet-4-5 above 200,000 input tokens: input 6.00, 5-minute write 7.50 → 1-hour write 12.00.
        Assert.True(_prices.TryGetPrice("claude-sonnet-4-5", out var sonnet));
        Assert.Equal(12.00m, CacheWritePrices.OneHourPerMillion(sonnet, 300_000));
        Assert.Equal(1000 * (12.00m - 7.50m) / 1_000_000m, CacheWritePrices.OneHourSurcharge(sonnet, 300_000, 1000, batch: false));
    }

    [Fact]
    public void A_model_without_a_cache_write_price_pays_the_input_price_for_five_minute_writes()
    {
        var plain = new ModelPriceInfo("plain", 2m, 0.5m, 8m, 0m, null);
        Assert.Equal(1000 * (4m - 2m) / 1_000_000m, CacheWritePrices.OneHourSurcharge(plain, 5000, 1000, batch: false));
        Assert.Equal(0m, CacheWritePrices.OneHourSurcharge(plain, 5000, 0, batch: false));
        Assert.Throws<ArgumentNullException>(() => CacheWritePrices.OneHourPerMillion(null!));
    }
}
