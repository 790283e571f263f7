using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Composition;

public class PromptOpsCompositionTests
{
    private static List<ChatMessage> Ask() => [new(ChatRole.User, "Is the shop open on Sunday?")];

    private static IConfigurationSection Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("PromptOps:" + v.Key, v.Value)))
            .Build()
            .GetSection("PromptOps");

    [Fact]
    public async Task UsePromptOps_without_DI_meters_routes_and_caches_in_that_order()
    {
        var provider = new RecordingChatClient();
        var sink = new InMemoryUsageSink();
        var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        using var client = new ChatClientBuilder(provider).UsePromptOps().Build(services);
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "yes_no" });

        await client.GetResponseAsync(Ask(), options);
        var hit = await client.GetResponseAsync(Ask(), options);

        Assert.Equal(1, provider.Calls);
        Assert.Equal("gpt-4o-mini", provider.Received.Single().Options!.ModelId); // routed before the provider
        Assert.Equal(CacheLayer.Memory, hit.GetCacheLayer());
        Assert.Equal([CacheLayer.None, CacheLayer.Memory], sink.Snapshot().Select(r => r.CacheLayer)); // the meter sees hits
        Assert.Equal("gpt-4o-mini", sink.Snapshot()[1].ModelId);
    }

    [Fact]
    public async Task UsePromptOps_builds_without_any_service_provider()
    {
        var provider = new RecordingChatClient();
        using var client = new ChatClientBuilder(provider).UsePromptOps().Build();
        await client.GetResponseAsync(Ask());
        Assert.Equal(CacheLayer.Memory, (await client.GetResponseAsync(Ask())).GetCacheLayer());
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task AddPromptOps_binds_options_from_configuration()
    {
        var provider = new RecordingChatClient();
        var services = new ServiceCollection();
        services.AddPromptOps(Config(
            ("Routing:Models:fast_cheap", "gemini-1.5-flash"),
            ("Cache:DefaultTtl", "none"),
            ("Pricing:Models:gemini-1.5-flash:Input", "1"),
            ("Pricing:Models:gemini-1.5-flash:Output", "2")));
        services.AddChatClient(provider).UsePromptOps();
        using var sp = services.BuildServiceProvider();
        var client = sp.GetRequiredService<IChatClient>();

        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.FastCheap });
        await client.GetResponseAsync(Ask(), options);
        await client.GetResponseAsync(Ask(), options);

        Assert.Equal(2, provider.Calls); // DefaultTtl none: no caching
        Assert.Equal("gemini-1.5-flash", provider.Received[0].Options!.ModelId);
        Assert.Equal(3m, sp.GetRequiredService<PriceCatalog>().Cost("gemini-1.5-flash", 1_000_000, 0, 1_000_000).Usd);
    }

    [Theory]
    [InlineData("Routing:Models:premium", "gpt-4o", "unknown tier 'premium'")]
    [InlineData("Cache:DefaultTtl", "-00:10:00", "'-00:10:00' is not positive")]
    [InlineData("Cache:DefaultTtl", "sometimes", "'sometimes' is not a cache TTL")]
    [InlineData("Cache:MemoryMaxEntries", "0", "MemoryMaxEntries must be positive")]
    [InlineData("Pricing:LiteLlmFile", "/nonexistent/prices.json", "'/nonexistent/prices.json' cannot be used")]
    [InlineData("Pricing:CatalogFile", "/nonexistent/catalog.json", "PromptOps:Pricing:CatalogFile '/nonexistent/catalog.json' cannot be used")]
    [InlineData("Pricing:Models:x:Input", "-1", "PromptOps:Pricing:Models:x")]
    [InlineData("Pricing:Models:x:Tier", "gold", "Unknown tier 'gold'")]
    [InlineData("Redis:OperationTimeout", "-00:00:01", "OperationTimeout must be positive")]
    public void Invalid_options_fail_at_start_up_naming_the_bad_value(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        services.AddPromptOps(Config((key, value)));
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IChatClient>());
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_price_file_fails_at_start_up_with_its_position()
    {
        var path = Path.Combine(Path.GetTempPath(), $"promptops-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{ \"gpt-4o\": { \"input_cost_per_token\": 1e-06, }");
        try
        {
            var services = new ServiceCollection();
            services.AddPromptOps(o => o.Pricing.LiteLlmFile = path);
            using var sp = services.BuildServiceProvider();
            var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value);
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_catalogue_file_from_configuration_is_read_into_the_registered_catalogue()
    {
        var path = Path.Combine(Path.GetTempPath(), $"promptops-catalog-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "last_updated": "2026-11-30", "my-llm": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 } }""");
        try
        {
            var services = new ServiceCollection();
            services.AddPromptOps(Config(("Pricing:CatalogFile", path)));
            using var sp = services.BuildServiceProvider();
            Assert.Equal(3m, sp.GetRequiredService<PriceCatalog>().Cost("my-llm", 1_000_000, 0, 1_000_000).Usd);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_valid_price_file_is_imported_into_the_registered_catalogue()
    {
        var path = Path.Combine(Path.GetTempPath(), $"promptops-prices-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "my-llm": { "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06 } }""");
        try
        {
            var services = new ServiceCollection();
            services.AddPromptOps(o => o.Pricing.LiteLlmFile = path);
            using var sp = services.BuildServiceProvider();
            Assert.Equal(3m, sp.GetRequiredService<PriceCatalog>().Cost("my-llm", 1_000_000, 0, 1_000_000).Usd);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Invalid_options_in_code_fail_when_the_pipeline_is_built()
    {
        var builder = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps(o => o.Cache.DefaultTtl = "-1m");
        var e = Assert.Throws<OptionsValidationException>(() => builder.Build());
        Assert.Contains("-1m", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_callbacks_change_a_copy_not_the_registered_options()
    {
        var services = new ServiceCollection();
        services.AddPromptOps();
        services.AddChatClient(new RecordingChatClient()).UsePromptOps(o => o.Cache.DefaultTtl = "none");
        using var sp = services.BuildServiceProvider();
        _ = sp.GetRequiredService<IChatClient>();
        Assert.Equal("01:00:00", sp.GetRequiredService<IOptions<PromptOpsOptions>>().Value.Cache.DefaultTtl);
    }

    [Fact]
    public void No_redis_is_registered_as_L2_unless_configured()
    {
        // The core package registers no L2 and no connection at all.
        var core = new ServiceCollection();
        core.AddPromptOps();
        using (var sp = core.BuildServiceProvider())
        {
            Assert.Null(sp.GetService<IResponseCacheStore>());
            Assert.Null(sp.GetService<StackExchange.Redis.IConnectionMultiplexer>());
        }

        // PromptOps.Redis registered but no connection configured: no store (absent, not a stand-in), and nothing connects.
        var services = new ServiceCollection();
        services.AddPromptOps().AddPromptOpsRedis();
        using var withRedis = services.BuildServiceProvider();
        Assert.Null(withRedis.GetService<IResponseCacheStore>());
        Assert.Null(withRedis.GetService<PromptOps.Caching.Semantic.ISemanticCacheStore>());
        Assert.Null(withRedis.GetService<PromptOps.Budgets.EscrowBudgetStore>());
        var e = Assert.Throws<InvalidOperationException>(() => withRedis.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>());
        Assert.Contains("PromptOps:Redis:Configuration", e.Message, StringComparison.Ordinal);
    }
}
