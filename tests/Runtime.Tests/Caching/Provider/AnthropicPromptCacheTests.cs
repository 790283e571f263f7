using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PromptOps.Budgets;
using PromptOps.Caching.Provider;
using PromptOps.Reports;
using PromptOps.Usage;
using PromptOps.Usage.Sqlite;
using PromptOps.Tests.Shared;
using Xunit.Abstractions;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>
/// Provider prompt caching placed by PromptOps, over the wire: Anthropic's official .NET SDK (its <c>IChatClient</c>) with
/// <see cref="ProviderPromptCacheHandler"/> as its <see cref="HttpClient"/>, under <c>UsePromptOps()</c>, against a loopback
/// Messages API server that caches by prefix at the breakpoint the request marks and answers with the API's usage.
/// </summary>
public sealed class AnthropicPromptCacheTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Anthropic's price sheet for Claude Sonnet 4.5, USD per 1M tokens (https://platform.claude.com/docs/en/about-claude/pricing):
    // input 3.00, cache read 0.30, 5-minute cache write 3.75, 1-hour cache write 6.00, output 15.00.
    private const decimal Input = 3.00m, CacheRead = 0.30m, CacheWrite5m = 3.75m, CacheWrite1h = 6.00m, Output = 15.00m;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "promptops-provider-cache-" + Guid.NewGuid().ToString("N"));
    private AnthropicCachingServer _server = null!;

    public async Task InitializeAsync() => _server = await AnthropicCachingServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// A text of <paramref name="words"/> distinct four-letter words (the stem's first letter, then three), as many tokens as the
    /// server counts them; PromptOps' estimate for a model without a local tokenizer counts each about 1.15 tokens.
    /// </summary>
    internal static string Words(int words, string stem) =>
        string.Join(' ', Enumerable.Range(0, words).Select(i => string.Concat(stem[0], (char)('a' + (i / 676 % 26)), (char)('a' + (i / 26 % 26)), (char)('a' + (i % 26)))));

    private IChatClient Sdk(string model) =>
        new AnthropicClient { ApiKey = "sk-ant-loopback", BaseUrl = _server.BaseUrl, MaxRetries = 0, HttpClient = ProviderPromptCacheHandler.CreateHttpClient() }
            .AsIChatClient(model, defaultMaxOutputTokens: 64);

    private static ServiceProvider Services(IUsageSink sink, ProviderPromptCacheOptions? options = null)
    {
        var services = new ServiceCollection().AddSingleton(sink);
        if (options is not null) services.AddSingleton(Options.Create(options));
        return services.BuildServiceProvider();
    }

    private static List<ChatMessage> Messages(string system, string user) => [new(ChatRole.System, system), new(ChatRole.User, user)];

    [Fact]
    public async Task Goal_a_2000_token_system_prompt_repeated_across_1000_calls_shows_the_price_sheets_savings_in_the_ledger()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "ledger.db");
        var system = Words(2000, "rule");
        await using (var sink = new SqliteUsageSink(path))
        {
            await using var services = Services(sink);
            using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);
            for (var i = 0; i < 1000; i++)
            {
                // A different question every call: each one reaches the provider (no response-cache hit).
                var response = await client.GetResponseAsync(Messages(system, $"ticket {i}: where is my order?"));
                Assert.Equal("ok", response.Text);
            }
        }

        // Every request carried the breakpoint at the end of the system prompt; the provider wrote the prefix once and read it 999 times.
        Assert.Equal(1000, _server.Requests.Count);
        Assert.All(_server.Requests, r => Assert.Equal("ephemeral", (string?)r["system"]![0]!["cache_control"]!["type"]));
        Assert.Equal(2000, _server.CacheWriteTokens);
        Assert.Equal(999L * 2000, _server.CacheReadTokens);

        var report = UsageLedger.LoadSqlite(path).ProviderCache();
        Assert.Equal(1000, report.Calls);
        Assert.Equal(999, report.CallsWithReads);
        Assert.Equal(1, report.CallsWithWrites);
        Assert.Equal(999L * 2000, report.CacheReadTokens);
        Assert.Equal(2000, report.CacheWriteTokens);
        Assert.Equal(0, report.UnpricedCalls);

        // The price sheet's figure, from the server's own counts: reads at the input price minus the read price, net of the
        // writes' premium over the input price.
        var sheet = (_server.CacheReadTokens * (Input - CacheRead) - _server.CacheWriteTokens * (CacheWrite5m - Input)) / 1_000_000m;
        Assert.Equal(5.3931m, sheet);
        Assert.InRange(report.NetSavedUsd, sheet * 0.99m, sheet * 1.01m);
        // And what was paid is the sheet's price of what the server served.
        var paid = (_server.UncachedTokens * Input + _server.CacheReadTokens * CacheRead + _server.CacheWriteTokens * CacheWrite5m + 1000L * 5 * Output) / 1_000_000m;
        Assert.InRange(report.CostUsd, paid * 0.99m, paid * 1.01m);
        Assert.Equal(report.CostUsd + report.NetSavedUsd, report.CostWithoutCacheUsd);
        output.WriteLine($"anthropic claude-sonnet-4-5: {report.Calls} calls, {report.CacheReadTokens:N0} read / {report.CacheWriteTokens:N0} written; " +
                         $"price sheet ${sheet:N4}, ledger ${report.NetSavedUsd:N4} saved (reads ${report.ReadSavingsUsd:N4}, write premium ${report.WritePremiumUsd:N4}); " +
                         $"paid ${report.CostUsd:N4}, ${report.CostWithoutCacheUsd:N4} without the cache");
        var row = ProviderCacheTable.Row("Anthropic, claude-sonnet-4-5", report, sheet);
        ReadmeFigure.Print(output, "provider-cache", ("0", ProviderCacheTable.Header), ("1", ProviderCacheTable.Separator), ("2", row));
        ReadmeFigure.AssertInReadme("provider-cache", [ProviderCacheTable.Header, ProviderCacheTable.Separator, row]);
    }

    [Fact]
    public async Task A_system_prompt_below_the_models_minimum_gets_no_breakpoint()
    {
        // 2,000 tokens is above Sonnet 4.5's minimum (1,024) and below Haiku 4.5's (4,096): nothing to cache for Haiku.
        _server.MinimumTokens = 4096;
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-haiku-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));
        await client.GetResponseAsync(Messages(Words(2000, "rule"), "second"));

        Assert.All(_server.Requests, r => Assert.DoesNotContain("cache_control", r.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal(0, _server.CacheWriteTokens + _server.CacheReadTokens);
        Assert.All(sink.Snapshot(), r => Assert.Equal(0, r.CachedInputTokens + r.CacheWriteInputTokens));
    }

    [Fact]
    public async Task A_request_that_marks_its_own_breakpoint_is_sent_as_it_is()
    {
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);
        var own = new TextContent(Words(1500, "doc")).WithCacheControl(Anthropic.Models.Messages.Ttl.Ttl5m);

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, Words(1500, "rule")), new ChatMessage(ChatRole.User, [own, new TextContent("question")])]);

        var body = Assert.Single(_server.Requests).ToJsonString();
        Assert.Equal(1, body.Split("cache_control").Length - 1); // the caller's, and no second one
        Assert.Null(Assert.Single(_server.Requests)["system"]![0]!["cache_control"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_callers_own_one_hour_breakpoint_is_left_as_it_is_and_its_writes_priced_as_one_hour_writes(bool placementEnabled)
    {
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink, new ProviderPromptCacheOptions { Enabled = placementEnabled });
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);
        var own = new TextContent(Words(1500, "doc")).WithCacheControl(Anthropic.Models.Messages.Ttl.Ttl1h);

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, Words(1500, "rule")), new ChatMessage(ChatRole.User, [own, new TextContent("question")])]);

        var body = Assert.Single(_server.Requests);
        Assert.Equal(1, body.ToJsonString().Split("cache_control").Length - 1); // the caller's only
        Assert.Equal("1h", (string?)body["messages"]![0]!["content"]![0]!["cache_control"]!["ttl"]);
        Assert.Equal(3000, _server.CacheWriteOneHourTokens); // the system text and the caller's block, written for an hour
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(3000, record.CacheWriteInputTokens);
        var uncached = record.InputTokens - 3000;
        Assert.Equal((uncached * Input + 3000 * CacheWrite1h + 5 * Output) / 1_000_000m, record.CostUsd);
    }

    [Fact]
    public async Task A_caller_whose_breakpoints_mix_one_hour_and_five_minutes_is_priced_as_five_minute_writes()
    {
        // The SDK does not report how the writes split between the two TTLs: PromptOps does not guess (README, docs/runtime.md).
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);
        var hour = new TextContent(Words(1500, "doc")).WithCacheControl(Anthropic.Models.Messages.Ttl.Ttl1h);
        var minutes = new TextContent(Words(500, "faq")).WithCacheControl(Anthropic.Models.Messages.Ttl.Ttl5m);

        await client.GetResponseAsync([new ChatMessage(ChatRole.System, Words(1500, "rule")), new ChatMessage(ChatRole.User, [hour, minutes, new TextContent("question")])]);

        Assert.Equal(2, Assert.Single(_server.Requests).ToJsonString().Split("cache_control").Length - 1);
        var record = Assert.Single(sink.Snapshot());
        Assert.True(record.CacheWriteInputTokens > 0);
        var uncached = record.InputTokens - record.CacheWriteInputTokens;
        Assert.Equal((uncached * Input + record.CacheWriteInputTokens * CacheWrite5m + 5 * Output) / 1_000_000m, record.CostUsd);
    }

    [Fact]
    public async Task The_fixed_start_of_a_prompt_template_is_cached_with_the_system_prompt()
    {
        // A [Prompt] whose system prompt is short and whose user template starts with 1,500 fixed words then a placeholder:
        // the breakpoint goes after the fixed words, inside the user message, so the part that varies is not in the prefix.
        var system = "You answer support tickets.";
        var fixedPart = Words(1500, "policy") + "\nTicket: ";
        var meta = new PromptOpsMetadata { PromptId = "Support.Answer", PromptVersion = "v1", StaticPrefixLength = system.Length + fixedPart.Length };
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(system, fixedPart + "my order 1 is late"), new ChatOptions().WithPromptOps(meta));
        await client.GetResponseAsync(Messages(system, fixedPart + "my order 2 is late"), new ChatOptions().WithPromptOps(meta));

        var user = (System.Text.Json.Nodes.JsonArray)_server.Requests[1]["messages"]![0]!["content"]!;
        Assert.Equal(2, user.Count);
        Assert.Equal(fixedPart, (string?)user[0]!["text"]);
        Assert.Equal("ephemeral", (string?)user[0]!["cache_control"]!["type"]);
        Assert.Equal("my order 2 is late", (string?)user[1]!["text"]);
        Assert.Null(user[1]!["cache_control"]);
        var prefixTokens = AnthropicCachingServer.CountTokens(system) + AnthropicCachingServer.CountTokens(fixedPart);
        var records = sink.Snapshot();
        Assert.Equal(prefixTokens, records[0].CacheWriteInputTokens);
        Assert.Equal(prefixTokens, records[1].CachedInputTokens);
    }

    [Fact]
    public async Task One_hour_breakpoints_are_marked_so_and_their_writes_priced_at_twice_the_input_price()
    {
        var sink = new InMemoryUsageSink();
        var store = new InMemoryBudgetStore();
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).AddSingleton<IBudgetStore>(store)
            .AddSingleton(Options.Create(new ProviderPromptCacheOptions { AnthropicTtl = ProviderCacheTtl.OneHour })).BuildServiceProvider();
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps(o => o.Budget.DailyLimitUsd = 10m).Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));
        await client.GetResponseAsync(Messages(Words(2000, "rule"), "second"));

        Assert.All(_server.Requests, r => Assert.Equal("1h", (string?)r["system"]![0]!["cache_control"]!["ttl"]));
        Assert.Equal(2000, _server.CacheWriteOneHourTokens);
        var records = sink.Snapshot();
        var first = records[0];
        Assert.Equal(2000, first.CacheWriteInputTokens);
        var uncached = first.InputTokens - 2000;
        Assert.Equal((uncached * Input + 2000 * CacheWrite1h + 5 * Output) / 1_000_000m, first.CostUsd);
        Assert.Equal(2 * Input, CacheWrite1h);
        // The budget is charged what the ledger recorded, one-hour writes included.
        var status = await new CostBudget(new CostBudgetOptions { DailyLimitUsd = 10m }, store).GetStatusAsync();
        Assert.Equal(records.Sum(r => r.CostUsd), Assert.Single(status.Windows).SpentOrReservedUsd);

        // The report finds the one-hour price in the ledger's cost: the premium is the input price again, not 25% of it.
        var report = UsageLedger.From(records).ProviderCache();
        Assert.Equal(2000 * (CacheWrite1h - Input) / 1_000_000m, report.WritePremiumUsd);
        Assert.Equal(2000 * (Input - CacheRead) / 1_000_000m, report.ReadSavingsUsd);
    }

    [Fact]
    public async Task UseProviderPromptCache_before_UsePromptOps_sets_the_options_requests_are_sent_with()
    {
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UseProviderPromptCache(o => o.AnthropicTtl = ProviderCacheTtl.OneHour).UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));

        Assert.Equal("1h", (string?)Assert.Single(_server.Requests)["system"]![0]!["cache_control"]!["ttl"]);
        Assert.Equal(2000, _server.CacheWriteOneHourTokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sdk("claude-sonnet-4-5").AsBuilder().UseProviderPromptCache(o => o.AnthropicTtl = (ProviderCacheTtl)9).Build(services));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public async Task AddPromptOps_binds_PromptOps_ProviderCache_so_a_configured_one_hour_ttl_reaches_the_wire()
    {
        var configuration = Configuration(("PromptOps:ProviderCache:AnthropicTtl", "OneHour"), ("PromptOps:ProviderCache:OpenAiPromptCacheKey", "false"));
        var sink = new InMemoryUsageSink();
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).AddPromptOps(configuration.GetSection("PromptOps")).BuildServiceProvider();
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));

        Assert.Equal("1h", (string?)Assert.Single(_server.Requests)["system"]![0]!["cache_control"]!["ttl"]);
        Assert.Equal(2000, _server.CacheWriteOneHourTokens);
        Assert.Equal(2000, Assert.Single(sink.Snapshot()).CacheWriteInputTokens);
        var bound = services.GetRequiredService<IOptions<ProviderPromptCacheOptions>>().Value;
        Assert.Equal((true, ProviderCacheTtl.OneHour, false), (bound.Enabled, bound.AnthropicTtl, bound.OpenAiPromptCacheKey));
    }

    [Fact]
    public async Task AddPromptOps_binds_Anthropics_wire_name_and_Enabled_false_sends_requests_unmarked()
    {
        var configuration = Configuration(("PromptOps:ProviderCache:AnthropicTtl", "1h"), ("PromptOps:ProviderCache:Enabled", "False"));
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(new InMemoryUsageSink()).AddPromptOps(configuration.GetSection("PromptOps")).BuildServiceProvider();
        Assert.Equal(ProviderCacheTtl.OneHour, services.GetRequiredService<IOptions<ProviderPromptCacheOptions>>().Value.AnthropicTtl);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));

        Assert.DoesNotContain("cache_control", Assert.Single(_server.Requests).ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_PromptOps_ProviderCache_value_fails_naming_the_key_and_the_value()
    {
        var configuration = Configuration(("PromptOps:ProviderCache:AnthropicTtl", "OneHoure"), ("PromptOps:ProviderCache:Enabled", "yes"));
        await using var services = new ServiceCollection().AddPromptOps(configuration.GetSection("PromptOps")).BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services));
        Assert.Contains("PromptOps:ProviderCache:AnthropicTtl is 'OneHoure': use FiveMinutes (or 5m) or OneHour (or 1h).", e.Failures);
        Assert.Contains("PromptOps:ProviderCache:Enabled is 'yes': use true or false.", e.Failures);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task With_a_host_a_bad_PromptOps_ProviderCache_value_fails_the_start()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddPromptOps(Configuration(("PromptOps:ProviderCache:AnthropicTtl", "2h")).GetSection("PromptOps"));
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("PromptOps:ProviderCache:AnthropicTtl is '2h': use FiveMinutes (or 5m) or OneHour (or 1h).", e.Failures);
    }

    [Fact]
    public async Task A_streamed_call_is_marked_and_its_cache_usage_recorded()
    {
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink);
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetStreamingResponseAsync(Messages(Words(2000, "rule"), "first")).ToChatResponseAsync();
        await client.GetStreamingResponseAsync(Messages(Words(2000, "rule"), "second")).ToChatResponseAsync();

        Assert.All(_server.Requests, r => Assert.True(r["stream"]!.GetValue<bool>()));
        Assert.All(_server.Requests, r => Assert.NotNull(r["system"]![0]!["cache_control"]));
        var records = sink.Snapshot();
        Assert.Equal(2000, records[0].CacheWriteInputTokens);
        Assert.Equal(2000, records[1].CachedInputTokens);
    }

    [Fact]
    public async Task Off_sends_every_request_unmarked()
    {
        var sink = new InMemoryUsageSink();
        await using var services = Services(sink, new ProviderPromptCacheOptions { Enabled = false });
        using var client = Sdk("claude-sonnet-4-5").AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync(Messages(Words(2000, "rule"), "first"));

        Assert.DoesNotContain("cache_control", Assert.Single(_server.Requests).ToJsonString(), StringComparison.Ordinal);
    }
}
