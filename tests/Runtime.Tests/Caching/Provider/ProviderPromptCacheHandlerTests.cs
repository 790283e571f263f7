using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PromptOps.Caching.Provider;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>What <see cref="ProviderPromptCacheHandler"/> does to request bodies, seen by the handler behind it.</summary>
public sealed class ProviderPromptCacheHandlerTests
{
    private sealed class Capture : HttpMessageHandler
    {
        public string? Body { get; private set; }

        public string? ContentType { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            ContentType = request.Content?.Headers.ContentType?.MediaType;
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }

    private static async Task<string?> SendAsync(string url, string body, ProviderPromptCacheOptions? options = null)
    {
        var capture = new Capture();
        using var client = new HttpClient(new ProviderPromptCacheHandler(capture, options));
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        await client.PostAsync(url, content);
        Assert.Equal("application/json", capture.ContentType);
        return capture.Body;
    }

    private static string Long(int words) => AnthropicPromptCacheTests.Words(words, "rule");

    [Fact]
    public async Task A_string_system_prompt_becomes_one_marked_block()
    {
        var body = new JsonObject { ["model"] = "claude-sonnet-4-5", ["max_tokens"] = 10, ["system"] = Long(1500), ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) };

        var sent = JsonNode.Parse((await SendAsync("http://127.0.0.1:1/v1/messages", body.ToJsonString()))!)!;

        var system = Assert.Single((JsonArray)sent["system"]!)!;
        Assert.Equal(Long(1500), (string?)system["text"]);
        Assert.Equal("""{"type":"ephemeral"}""", system["cache_control"]!.ToJsonString());
        Assert.Equal("hi", (string?)sent["messages"]![0]!["content"]); // the rest untouched
    }

    [Fact]
    public async Task With_no_system_prompt_long_tools_are_marked_at_the_last_tool()
    {
        var tool = new JsonObject { ["name"] = "lookup", ["description"] = Long(1500), ["input_schema"] = new JsonObject { ["type"] = "object" } };
        var body = new JsonObject { ["model"] = "claude-sonnet-4-5", ["tools"] = new JsonArray(new JsonObject { ["name"] = "first" }, tool), ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) };

        var sent = JsonNode.Parse((await SendAsync("http://127.0.0.1:1/v1/messages?beta=true", body.ToJsonString()))!)!;

        Assert.Null(sent["tools"]![0]!["cache_control"]);
        Assert.NotNull(sent["tools"]![1]!["cache_control"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/v1/messages/count_tokens")] // not a message
    [InlineData("http://127.0.0.1:1/v1/embeddings")]
    public async Task Other_endpoints_pass_through_untouched(string url)
    {
        var body = new JsonObject { ["model"] = "claude-sonnet-4-5", ["system"] = Long(1500), ["messages"] = new JsonArray() }.ToJsonString();
        Assert.Equal(body, await SendAsync(url, body));
    }

    [Fact]
    public async Task A_body_that_is_not_json_passes_through_untouched()
    {
        Assert.Equal("not json {", await SendAsync("http://127.0.0.1:1/v1/messages", "not json {"));
    }

    [Fact]
    public async Task Without_a_prompt_id_an_OpenAI_request_gets_no_key_and_a_set_key_is_kept()
    {
        var body = """{"model":"gpt-4.1","messages":[]}""";
        Assert.Equal(body, await SendAsync("http://127.0.0.1:1/v1/chat/completions", body));
        var own = """{"model":"gpt-4.1","messages":[],"prompt_cache_key":"mine"}""";
        Assert.Equal(own, await SendAsync("http://127.0.0.1:1/v1/responses", own));
    }

    [Fact]
    public void Minimums_come_from_the_table_by_model_family()
    {
        Assert.Equal(1024, ProviderCacheMinimums.ForAnthropic("claude-sonnet-4-5-20250929"));
        Assert.Equal(4096, ProviderCacheMinimums.ForAnthropic("claude-haiku-4-5"));
        Assert.Equal(4096, ProviderCacheMinimums.ForAnthropic("anthropic/claude-opus-4-5"));
        Assert.Equal(1024, ProviderCacheMinimums.ForAnthropic("claude-opus-4-20250514"));
        Assert.Equal(2048, ProviderCacheMinimums.ForAnthropic("claude-3-5-haiku-20241022"));
        Assert.Equal(2048, ProviderCacheMinimums.ForAnthropic("anthropic.claude-3-haiku-20240307-v1:0"));
        Assert.Equal(ProviderCacheMinimums.DefaultMinimumTokens, ProviderCacheMinimums.ForAnthropic("claude-next"));
        Assert.Equal(ProviderCacheMinimums.DefaultMinimumTokens, ProviderCacheMinimums.ForAnthropic(null));
    }

    [Fact]
    public void Bad_options_are_refused_with_their_name()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ProviderPromptCacheHandler(new ProviderPromptCacheOptions { AnthropicTtl = (ProviderCacheTtl)7 }));
        Assert.Contains("AnthropicTtl", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new ProviderPromptCacheHandler(null!, null));
    }
}
