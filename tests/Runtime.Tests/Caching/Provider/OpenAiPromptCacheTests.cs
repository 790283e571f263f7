using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using PromptOps.Caching.Provider;
using PromptOps.Reports;
using PromptOps.Tests.Routing.Wire;
using PromptOps.Usage;
using PromptOps.Tests.Shared;
using Xunit.Abstractions;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>
/// OpenAI's prompt cache, over the wire: the real OpenAI .NET client (through Microsoft.Extensions.AI.OpenAI) with
/// <see cref="ProviderPromptCacheHandler"/> in its transport, under <c>UsePromptOps()</c>, against the loopback OpenAI-compatible
/// server. OpenAI 2.15's <c>ChatCompletionOptions</c> has a JSON <c>Patch</c> (experimental, SCME0001) that could carry
/// <c>prompt_cache_key</c> through <c>ChatOptions.RawRepresentationFactory</c>, but only code that references the OpenAI SDK can
/// build one, and PromptOps' core does not; the handler adds the key to the JSON body instead, whatever client sent it.
/// </summary>
public sealed class OpenAiPromptCacheTests(ITestOutputHelper output) : IAsyncLifetime
{
    // OpenAI's price sheet for gpt-4.1, USD per 1M tokens (https://platform.openai.com/docs/pricing): input 2.00, cached input 0.50, output 8.00.
    private const decimal Input = 2.00m, CachedInput = 0.50m;

    private OpenAiCompatibleServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenAiCompatibleServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IChatClient OpenAi(string model = "gpt-4.1") =>
        new OpenAIClient(new ApiKeyCredential("sk-test"), new OpenAIClientOptions
        {
            Endpoint = _server.Endpoint,
            RetryPolicy = new ClientRetryPolicy(0),
            Transport = new HttpClientPipelineTransport(ProviderPromptCacheHandler.CreateHttpClient()),
        }).GetChatClient(model).AsIChatClient();

    private static ChatOptions Prompt(string id, string version) => new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = id, PromptVersion = version });

    private static string Words(int words, string stem) => AnthropicPromptCacheTests.Words(words, stem);

    [Fact]
    public async Task A_prompt_call_carries_a_prompt_cache_key_of_its_id_and_version()
    {
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(new InMemoryUsageSink()).BuildServiceProvider();
        using var client = OpenAi().AsBuilder().UsePromptOps().Build(services);

        await client.GetResponseAsync("a", Prompt("Support.Classify", "v1"));
        await client.GetResponseAsync("b", Prompt("Support.Classify", "v1"));
        await client.GetResponseAsync("c", Prompt("Support.Classify", "v2"));
        await client.GetResponseAsync("d"); // a raw call: no prompt, no key (OpenAI routes it by prefix alone)

        var keys = _server.Requests.Select(r => (string?)r.Body["prompt_cache_key"]).ToList();
        Assert.Equal(ProviderPromptCacheHandler.PromptCacheKeyOf("Support.Classify", "v1"), keys[0]);
        Assert.Equal(keys[0], keys[1]);
        Assert.NotEqual(keys[0], keys[2]); // a new version of the prompt has its own cache
        Assert.Null(keys[3]);
        Assert.StartsWith("po-", keys[0], StringComparison.Ordinal);
        Assert.Equal(35, keys[0]!.Length);
        Assert.DoesNotContain("Support", keys[0], StringComparison.Ordinal); // the prompt's name is not sent
    }

    [Fact]
    public void The_key_needs_a_prompt_id()
    {
        Assert.Throws<ArgumentException>(() => ProviderPromptCacheHandler.PromptCacheKeyOf("", "v1"));
        Assert.Throws<ArgumentNullException>(() => ProviderPromptCacheHandler.PromptCacheKeyOf(null!, "v1"));
    }

    [Fact]
    public async Task Goal_a_2000_token_system_prompt_repeated_across_1000_calls_shows_the_price_sheets_savings_in_the_ledger()
    {
        // The server caches like OpenAI: a prefix of at least 1,024 tokens, in 128-token steps, once it has seen it under the
        // same prompt_cache_key; its tokens are words. The reply's usage reports the cached part inside prompt_tokens.
        var seen = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        long cachedTotal = 0;
        _server.Default = request =>
        {
            var messages = (JsonArray)request.Body["messages"]!;
            var system = (string?)messages[0]!["content"] ?? "";
            var prompt = messages.Sum(m => Count((string?)m!["content"] ?? ""));
            var prefix = Count(system);
            var cacheable = prefix < 1024 ? 0 : 1024 + ((prefix - 1024) / 128 * 128);
            var key = (string?)request.Body["prompt_cache_key"] + "\n" + system;
            var cached = cacheable > 0 && !seen.TryAdd(key, 0) ? cacheable : 0;
            Interlocked.Add(ref cachedTotal, cached);
            return Reply.Ok("ok", promptTokens: prompt, completionTokens: 2, cachedTokens: cached);
        };
        var sink = new InMemoryUsageSink();
        await using var services = new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider();
        using var client = OpenAi().AsBuilder().UsePromptOps().Build(services);
        var system = Words(2000, "rule");

        for (var i = 0; i < 1000; i++)
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.System, system), new ChatMessage(ChatRole.User, $"ticket {i}: where is my order?")], Prompt("Support.Answer", "v1"));
        }

        Assert.Equal(1000, _server.Requests.Count);
        Assert.Equal(999L * 1920, Interlocked.Read(ref cachedTotal)); // 2,000 tokens cache as 1,024 + 7 × 128
        var report = UsageLedger.From(sink.Snapshot()).ProviderCache();
        Assert.Equal(1000, report.Calls);
        Assert.Equal(999, report.CallsWithReads);
        Assert.Equal(0, report.CacheWriteTokens); // OpenAI bills no cache write
        var sheet = cachedTotal * (Input - CachedInput) / 1_000_000m;
        Assert.Equal(2.87712m, sheet);
        Assert.InRange(report.NetSavedUsd, sheet * 0.99m, sheet * 1.01m);
        Assert.Equal(0m, report.WritePremiumUsd);
        output.WriteLine($"openai gpt-4.1: {report.Calls} calls, {report.CacheReadTokens:N0} read / {report.CacheWriteTokens:N0} written; " +
                         $"price sheet ${sheet:N4}, ledger ${report.NetSavedUsd:N4} saved; paid ${report.CostUsd:N4}, ${report.CostWithoutCacheUsd:N4} without the cache");
        var row = ProviderCacheTable.Row("OpenAI, gpt-4.1 (cached in 128-token steps)", report, sheet);
        ReadmeFigure.Print(output, "provider-cache", ("0", ProviderCacheTable.Header), ("1", ProviderCacheTable.Separator), ("3", row));
        ReadmeFigure.AssertInReadme("provider-cache", [ProviderCacheTable.Header, ProviderCacheTable.Separator, row]);

        static int Count(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
