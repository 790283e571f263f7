using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Usage;

namespace PromptOps.Tests.Pricing;

/// <summary>
/// Anthropic's official .NET SDK (NuGet <c>Anthropic</c>) and its <see cref="IChatClient"/>s (<c>AsIChatClient</c>, and
/// <c>Beta.AsIChatClient</c> for the beta Messages API) against a
/// loopback Messages API server, through <c>UsePromptOps()</c>: a response whose wire usage is
/// <c>{"input_tokens": 100, "cache_read_input_tokens": 2000, "cache_creation_input_tokens": 500, "output_tokens": 50}</c>
/// (Anthropic's <c>input_tokens</c> excludes both cache parts) is recorded and charged to the budget at the price sheet's
/// figure — each part at its own price, nothing counted twice — whether it is answered whole or streamed.
/// </summary>
public sealed class AnthropicWireTests : IAsyncLifetime
{
    // claude-haiku-4-5 in the catalogue (src/Shared/Knowledge/DefaultPrices.Catalog.cs), USD per 1M tokens.
    private const decimal InputPrice = 1m, CacheReadPrice = 0.1m, CacheWritePrice = 1.25m, OutputPrice = 5m;

    // The price sheet's figure for the wire usage: each part at its own price.
    private const decimal Expected = (100 * InputPrice + 500 * CacheWritePrice + 2000 * CacheReadPrice + 50 * OutputPrice) / 1_000_000m;

    private AnthropicMessagesServer _server = null!;

    public async Task InitializeAsync() => _server = await AnthropicMessagesServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // The SDK's own retries are off, so a failure is the test's, not a retried one.
    // beta: the IChatClient of the SDK's beta Messages API (client.Beta.AsIChatClient), which has its own usage mapping.
    private IChatClient Sdk(bool beta = false)
    {
        var client = new AnthropicClient { ApiKey = "sk-ant-loopback", BaseUrl = _server.BaseUrl, MaxRetries = 0 };
        return beta ? client.Beta.AsIChatClient("claude-haiku-4-5", defaultMaxOutputTokens: 256) : client.AsIChatClient("claude-haiku-4-5", defaultMaxOutputTokens: 256);
    }

    /// <summary>The SDK under <c>UsePromptOps()</c> with a usage sink and a daily budget over <paramref name="store"/>.</summary>
    private (IChatClient Client, ServiceProvider Services) PromptOps(InMemoryUsageSink sink, InMemoryBudgetStore store, bool beta = false)
    {
        var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).AddSingleton<IBudgetStore>(store).BuildServiceProvider();
        var client = Sdk(beta).AsBuilder().UsePromptOps(o => o.Budget.DailyLimitUsd = 10m).Build(services);
        return (client, services);
    }

    private static async Task<decimal> SpentTodayAsync(InMemoryBudgetStore store)
    {
        var status = await new CostBudget(new CostBudgetOptions { DailyLimitUsd = 10m }, store).GetStatusAsync();
        return Assert.Single(status.Windows).SpentOrReservedUsd;
    }

    private static void AssertPricedRight(UsageRecord record)
    {
        Assert.Equal("claude-haiku-4-5-20251001", record.ModelId); // the dated id the API answers with, priced as its family
        Assert.True(record.IsPriced);
        Assert.Equal(2600, record.InputTokens);          // every input token: 100 + 2000 read + 500 written
        Assert.Equal(2000, record.CachedInputTokens);    // the cache reads
        Assert.Equal(500, record.CacheWriteInputTokens); // the cache writes
        Assert.Equal(50, record.OutputTokens);
        Assert.Equal(UsageAnomalies.None, record.Anomalies);
        Assert.Equal(Expected, record.CostUsd);
        Assert.Equal(0.001175m, record.CostUsd);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_SDK_reports_every_input_token_with_cache_reads_and_writes_apart(bool beta)
    {
        // Pins what the SDK's IChatClient does with Anthropic's usage: it adds the cache parts to input_tokens (PromptOps'
        // convention, so no normalising is needed) and names the writes "CacheCreationInputTokens", one of ProviderUsage.CacheWriteKeys.
        using var sdk = Sdk(beta);

        var response = await sdk.GetResponseAsync("Classify: great product");

        Assert.Equal("positive", response.Text);
        Assert.Equal("anthropic", sdk.GetService<ChatClientMetadata>()?.ProviderName);
        var usage = response.Usage!;
        Assert.Equal(2600, usage.InputTokenCount);
        Assert.Equal(2000, usage.CachedInputTokenCount);
        Assert.Equal(50, usage.OutputTokenCount);
        Assert.Equal(500, usage.AdditionalCounts!["CacheCreationInputTokens"]);
        Assert.Equal(500, ProviderUsage.CacheWriteInputTokens(usage));
        // The same price as PromptOps' own mapping of the wire block.
        var prices = new PriceCatalog();
        Assert.Equal(Expected, prices.Cost(response.ModelId, usage).Usd);
        Assert.Equal(prices.Cost(response.ModelId, ProviderUsage.FromAnthropic(100, 2000, 500, 50)).Usd, prices.Cost(response.ModelId, usage).Usd);
        Assert.True(prices.TryGetPrice(response.ModelId, out var price));
        Assert.Equal(Expected, CostBudget.CostOf(price, usage));
        var request = Assert.Single(_server.Requests);
        Assert.Equal("claude-haiku-4-5", request["model"]!.GetValue<string>());
        Assert.Null(request["stream"]);
        Assert.Equal(beta ? "BetaMessage" : "Message", response.RawRepresentation!.GetType().Name); // the beta client answered
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_response_is_recorded_and_charged_to_the_budget_at_the_price_sheets_figure(bool beta)
    {
        var sink = new InMemoryUsageSink();
        var store = new InMemoryBudgetStore();
        var (client, services) = PromptOps(sink, store, beta);
        using (client)
        await using (services)
        {
            var response = await client.GetResponseAsync("Classify: great product");
            Assert.Equal("positive", response.Text);
        }

        var record = Assert.Single(sink.Snapshot());
        Assert.False(record.Streaming);
        AssertPricedRight(record);
        // Settled at the actual cost, the worst-case reservation released: the same figure as the record's.
        Assert.Equal(Expected, await SpentTodayAsync(store));
        // Not the wire's input_tokens taken as every input token (the cache parts unpriced) …
        Assert.NotEqual((100 * InputPrice + 50 * OutputPrice) / 1_000_000m, record.CostUsd);
        // … nor every input token at the full input price.
        Assert.NotEqual((2600 * InputPrice + 50 * OutputPrice) / 1_000_000m, record.CostUsd);
    }

    [Theory]
    [InlineData(true, false)]  // message_delta repeats the cumulative input and cache counts (the API today)
    [InlineData(false, false)] // message_delta carries output_tokens only (older API versions)
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task A_stream_is_recorded_and_charged_to_the_budget_at_the_price_sheets_figure(bool deltaRepeatsInputCounts, bool beta)
    {
        _server.DeltaRepeatsInputCounts = deltaRepeatsInputCounts;
        var sink = new InMemoryUsageSink();
        var store = new InMemoryBudgetStore();
        var (client, services) = PromptOps(sink, store, beta);
        using (client)
        await using (services)
        {
            var response = await client.GetStreamingResponseAsync("Classify: great product").ToChatResponseAsync();
            Assert.Equal("positive", response.Text);
            Assert.Equal(2600, response.Usage!.InputTokenCount); // counted once, not once per event that carries usage
        }

        Assert.True(Assert.Single(_server.Requests)["stream"]!.GetValue<bool>());
        var record = Assert.Single(sink.Snapshot());
        Assert.True(record.Streaming);
        AssertPricedRight(record);
        Assert.Equal(Expected, await SpentTodayAsync(store));
    }

    [Fact]
    public async Task A_cache_hit_on_an_Anthropic_answer_saves_its_whole_price_and_spends_nothing()
    {
        var sink = new InMemoryUsageSink();
        var store = new InMemoryBudgetStore();
        var (client, services) = PromptOps(sink, store);
        using (client)
        await using (services)
        {
            await client.GetResponseAsync("Classify: great product");
            var hit = await client.GetResponseAsync("Classify: great product");
            Assert.Equal(CacheLayer.Memory, hit.GetCacheLayer());
            Assert.Equal("positive", hit.Text);
        }

        Assert.Single(_server.Requests);
        var records = sink.Snapshot();
        Assert.Equal(2, records.Count);
        AssertPricedRight(records[0]);
        Assert.Equal(CacheLayer.Memory, records[1].CacheLayer);
        Assert.Equal(0m, records[1].CostUsd);
        Assert.Equal(500, records[1].CacheWriteInputTokens); // the cached answer keeps its cache-write count …
        Assert.Equal(Expected, records[1].CostSavedUsd);     // … so the hit saves what the call cost, writes included
        Assert.Equal(Expected, await SpentTodayAsync(store)); // and the budget is charged once
    }
}
