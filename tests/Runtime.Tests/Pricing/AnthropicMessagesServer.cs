using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Pricing;

/// <summary>The <c>usage</c> block of an Anthropic Messages API answer, with Anthropic's meaning: <c>input_tokens</c> excludes both cache parts.</summary>
internal sealed record AnthropicUsage(int InputTokens, int CacheReadInputTokens, int CacheCreationInputTokens, int OutputTokens)
{
    /// <summary>The block as the API sends it.</summary>
    public JsonObject ToJson() => new()
    {
        ["input_tokens"] = InputTokens,
        ["cache_creation_input_tokens"] = CacheCreationInputTokens,
        ["cache_read_input_tokens"] = CacheReadInputTokens,
        ["output_tokens"] = OutputTokens,
    };
}

/// <summary>
/// An Anthropic Messages API server on a free loopback port (Kestrel), owned by the test: <c>POST /v1/messages</c> answers
/// <see cref="Text"/> with <see cref="Usage"/>, as one JSON message or, when the request asks for <c>"stream": true</c>, as the
/// API's server-sent events (<c>message_start</c> … <c>message_stop</c>). Every request body is kept.
/// </summary>
internal sealed class AnthropicMessagesServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonNode> _requests = new();

    private AnthropicMessagesServer(WebApplication app) => _app = app;

    /// <summary>The base address for the Anthropic client (<c>http://127.0.0.1:port</c>).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The model id the answers name (the API answers with the dated id).</summary>
    public string Model { get; set; } = "claude-haiku-4-5-20251001";

    /// <summary>The answer's text.</summary>
    public string Text { get; set; } = "positive";

    /// <summary>The answer's usage.</summary>
    public AnthropicUsage Usage { get; set; } = new(100, 2000, 500, 50);

    /// <summary>
    /// Streaming: whether <c>message_delta</c> repeats the input and cache counts (the API's cumulative usage) or carries only
    /// <c>output_tokens</c> (what older API versions sent).
    /// </summary>
    public bool DeltaRepeatsInputCounts { get; set; } = true;

    /// <summary>The request bodies received, in order.</summary>
    public IReadOnlyList<JsonNode> Requests => _requests.ToArray();

    /// <summary>Starts the server on 127.0.0.1 and a free port.</summary>
    public static async Task<AnthropicMessagesServer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var server = new AnthropicMessagesServer(app);
        app.MapPost("/v1/messages", server.HandleAsync);
        server.BaseUrl = await LoopbackApp.StartAsync(app);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
        _requests.Enqueue(body);
        if (body["stream"]?.GetValue<bool>() == true)
        {
            context.Response.ContentType = "text/event-stream";
            var start = Message(content: [], stopReason: null, usage: Usage with { OutputTokens = 1 });
            var delta = DeltaRepeatsInputCounts ? Usage.ToJson() : new JsonObject { ["output_tokens"] = Usage.OutputTokens };
            var sse = new StringBuilder()
                .Append(Event("message_start", new JsonObject { ["type"] = "message_start", ["message"] = start }))
                .Append(Event("content_block_start", new JsonObject
                {
                    ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
                }))
                .Append(Event("content_block_delta", new JsonObject
                {
                    ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = Text },
                }))
                .Append(Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }))
                .Append(Event("message_delta", new JsonObject
                {
                    ["type"] = "message_delta",
                    ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
                    ["usage"] = delta,
                }))
                .Append(Event("message_stop", new JsonObject { ["type"] = "message_stop" }));
            await context.Response.WriteAsync(sse.ToString());
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(Message([new JsonObject { ["type"] = "text", ["text"] = Text }], "end_turn", Usage).ToJsonString());
    }

    private JsonObject Message(JsonNode?[] content, string? stopReason, AnthropicUsage usage) => new()
    {
        ["id"] = "msg_loopback",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = Model,
        ["content"] = new JsonArray(content),
        ["stop_reason"] = stopReason,
        ["stop_sequence"] = null,
        ["usage"] = usage.ToJson(),
    };

    private static string Event(string name, JsonObject data) => $"event: {name}\ndata: {data.ToJsonString()}\n\n";

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
