using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Reports;
using PromptOps.Usage;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>The provider-cache section of the reports: reads at the full input price minus what was paid, net of the write premium.</summary>
public sealed class ProviderCacheReportTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly PriceCatalog Prices = new();

    /// <summary>A provider call of claude-sonnet-4-5 priced the way the usage meter prices it.</summary>
    private static UsageRecord Call(long input, long read, long write, bool oneHour = false, bool batch = false, string model = "claude-sonnet-4-5", int day = 0) => new()
    {
        Timestamp = Day.AddDays(day),
        ModelId = model,
        InputTokens = input,
        CachedInputTokens = read,
        CacheWriteInputTokens = write,
        OutputTokens = 10,
        CostUsd = Prices.Cost(model, input, read, write, 10, batch, oneHour ? write : 0) is { Model: not null } c ? c.Usd : null,
        IsPriced = Prices.TryGetPrice(model, out _),
    };

    [Fact]
    public void Reads_save_the_input_price_minus_the_read_price_and_writes_cost_their_premium()
    {
        var report = ProviderCacheReport.Create([Call(2100, 0, 2000), Call(2100, 2000, 0), Call(2100, 2000, 0), Call(100, 0, 0)]);

        Assert.Equal(4, report.Calls);
        Assert.Equal(2, report.CallsWithReads);
        Assert.Equal(1, report.CallsWithWrites);
        Assert.Equal(6400, report.InputTokens);
        Assert.Equal(4000, report.CacheReadTokens);
        Assert.Equal(2000, report.CacheWriteTokens);
        Assert.Equal(4000 * (3.00m - 0.30m) / 1_000_000m, report.ReadSavingsUsd);
        Assert.Equal(2000 * (3.75m - 3.00m) / 1_000_000m, report.WritePremiumUsd);
        Assert.Equal(report.ReadSavingsUsd - report.WritePremiumUsd, report.NetSavedUsd);
        // Without the cache every input token at the input price: that is what the calls cost plus the net saving.
        var withoutCache = (6400 * 3.00m + 40 * 15.00m) / 1_000_000m;
        Assert.Equal(withoutCache, report.CostWithoutCacheUsd);
        Assert.Equal(4000 / 6400d, report.ReadShare);
    }

    [Fact]
    public void One_hour_writes_and_batch_calls_are_recognised_from_the_ledgers_cost()
    {
        var report = ProviderCacheReport.Create([Call(2100, 0, 2000, oneHour: true), Call(2100, 2000, 0, batch: true), Call(2100, 0, 2000, batch: true)]);

        // 1-hour writes: the premium is the whole input price (2 × input − input); batch calls: everything at half price.
        Assert.Equal(2000 * 3.00m / 1_000_000m + 2000 * (3.75m - 3.00m) / 1_000_000m * 0.5m, report.WritePremiumUsd);
        Assert.Equal(2000 * (3.00m - 0.30m) / 1_000_000m * 0.5m, report.ReadSavingsUsd);
    }

    [Fact]
    public void Cache_hits_failures_other_days_and_unpriced_models_are_left_out_and_counted()
    {
        var hit = Call(2100, 2000, 0) with { CacheLayer = CacheLayer.Memory };
        var failed = Call(2100, 2000, 0) with { Outcome = UsageOutcome.Failed };
        var unknown = Call(2100, 2000, 0, model: "no-such-model");
        var report = ProviderCacheReport.Create([hit, failed, unknown, Call(2100, 2000, 0, day: 3), Call(2100, 2000, 0)], new ReportPeriod(DateOnly.FromDateTime(Day.UtcDateTime), DateOnly.FromDateTime(Day.UtcDateTime)));

        Assert.Equal(2, report.Calls); // the unknown model's call and the priced one of that day
        Assert.Equal(1, report.UnpricedCalls);
        Assert.Equal(2000 * (3.00m - 0.30m) / 1_000_000m, report.ReadSavingsUsd);
        Assert.Equal(0m, ProviderCacheReport.Create([]).NetSavedUsd);
        Assert.Equal(0d, ProviderCacheReport.Create([]).ReadShare);
        Assert.Throws<ArgumentNullException>(() => ProviderCacheReport.Create(null!));
    }

    [Fact]
    public void The_ledger_offers_the_report()
    {
        var ledger = UsageLedger.From([Call(2100, 0, 2000), Call(2100, 2000, 0)]);
        Assert.Equal(ProviderCacheReport.Create(ledger.Records), ledger.ProviderCache());
    }
}
