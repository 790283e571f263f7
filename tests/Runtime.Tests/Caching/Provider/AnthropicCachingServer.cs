using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Caching.Provider;

/// <summary>
/// An Anthropic Messages API server on a free loopback port that caches like the API: the request's blocks in cache order
/// (tools, system, then each message's content blocks) up to the last one marked <c>cache_control</c> are the cached
/// prefix; a prefix of at least <see cref="MinimumTokens"/> is read from the cache when the same prefix (same model, same
/// blocks) was written before, else written. <c>usage</c> is what the API sends: <c>input_tokens</c> excludes the cache
/// parts; <c>cache_creation</c> splits the writes by TTL. Tokens are counted as whitespace-separated words (the server's
/// tokenizer; the client never sees it). Answers one word, <see cref="OutputTokens"/> output tokens; keeps every body.
/// </summary>
internal sealed class AnthropicCachingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonObject> _requests = new();
    private readonly ConcurrentDictionary<string, byte> _cache = new(StringComparer.Ordinal);
    private long _reads, _writes, _writes1h, _uncached;

    private AnthropicCachingServer(WebApplication app) => _app = app;

    /// <summary>The base address for the Anthropic client.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The smallest prefix the server caches (Claude Sonnet 4.5: 1,024).</summary>
    public int MinimumTokens { get; set; } = 1024;

    /// <summary>Output tokens of every answer.</summary>
    public int OutputTokens { get; set; } = 5;

    /// <summary>The request bodies received, in order.</summary>
    public IReadOnlyList<JsonObject> Requests => _requests.ToArray();

    /// <summary>Input tokens served from the cache, over every request.</summary>
    public long CacheReadTokens => Interlocked.Read(ref _reads);

    /// <summary>Input tokens written to the cache (both TTLs), over every request.</summary>
    public long CacheWriteTokens => Interlocked.Read(ref _writes);

    /// <summary>Input tokens written to the 1-hour cache, over every request.</summary>
    public long CacheWriteOneHourTokens => Interlocked.Read(ref _writes1h);

    /// <summary>Input tokens neither read nor written, over every request.</summary>
    public long UncachedTokens => Interlocked.Read(ref _uncached);

    public static async Task<AnthropicCachingServer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var server = new AnthropicCachingServer(app);
        app.MapPost("/v1/messages", server.HandleAsync);
        server.BaseUrl = await LoopbackApp.StartAsync(app);
        return server;
    }

    /// <summary>Tokens of a text as this server counts them: whitespace-separated words.</summary>
    public static int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = (JsonObject)JsonNode.Parse(await reader.ReadToEndAsync())!;
        _requests.Enqueue(body);
        var model = (string)body["model"]!;

        // The blocks in the order the API caches them, each with its token count.
        var blocks = new List<(JsonObject Block, int Tokens)>();
        if (body["tools"] is JsonArray tools)
        {
            foreach (var t in tools.OfType<JsonObject>()) blocks.Add((t, CountTokens(t["name"] + " " + t["description"] + " " + t["input_schema"]?.ToJsonString())));
        }

        switch (body["system"])
        {
            case JsonArray system:
                foreach (var b in system.OfType<JsonObject>()) blocks.Add((b, CountTokens((string?)b["text"] ?? "")));
                break;
            case JsonValue s:
                blocks.Add((new JsonObject { ["type"] = "text", ["text"] = (string)s! }, CountTokens((string)s!)));
                break;
        }

        foreach (var turn in ((JsonArray)body["messages"]!).OfType<JsonObject>())
        {
            switch (turn["content"])
            {
                case JsonArray content:
                    foreach (var b in content.OfType<JsonObject>()) blocks.Add((b, CountTokens((string?)b["text"] ?? "")));
                    break;
                case JsonValue s:
                    blocks.Add((new JsonObject { ["type"] = "text", ["text"] = (string)s! }, CountTokens((string)s!)));
                    break;
            }
        }

        var total = blocks.Sum(b => b.Tokens);
        var breakpoint = blocks.FindLastIndex(b => b.Block["cache_control"] is not null);
        int read = 0, written = 0, written1h = 0;
        if (breakpoint >= 0)
        {
            var prefix = blocks.Take(breakpoint + 1).ToList();
            var prefixTokens = prefix.Sum(b => b.Tokens);
            if (prefixTokens >= MinimumTokens)
            {
                var key = Key(model, prefix.Select(b => b.Block));
                if (!_cache.TryAdd(key, 0))
                {
                    read = prefixTokens;
                }
                else
                {
                    written = prefixTokens;
                    if ((string?)blocks[breakpoint].Block["cache_control"]!["ttl"] == "1h") written1h = prefixTokens;
                }
            }
        }

        var uncached = total - read - written;
        Interlocked.Add(ref _reads, read);
        Interlocked.Add(ref _writes, written);
        Interlocked.Add(ref _writes1h, written1h);
        Interlocked.Add(ref _uncached, uncached);
        var usage = new JsonObject
        {
            ["input_tokens"] = uncached,
            ["cache_creation_input_tokens"] = written,
            ["cache_read_input_tokens"] = read,
            ["cache_creation"] = new JsonObject { ["ephemeral_5m_input_tokens"] = written - written1h, ["ephemeral_1h_input_tokens"] = written1h },
            ["output_tokens"] = OutputTokens,
        };
        var message = new JsonObject
        {
            ["id"] = "msg_" + Guid.NewGuid().ToString("N"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = model,
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "ok" }),
            ["stop_reason"] = "end_turn",
            ["stop_sequence"] = null,
            ["usage"] = usage,
        };
        if (body["stream"]?.GetValue<bool>() == true)
        {
            context.Response.ContentType = "text/event-stream";
            var start = message.DeepClone().AsObject();
            start["content"] = new JsonArray();
            start["stop_reason"] = null;
            var sse = new StringBuilder()
                .Append(Event("message_start", new JsonObject { ["type"] = "message_start", ["message"] = start }))
                .Append(Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } }))
                .Append(Event("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = "ok" } }))
                .Append(Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }))
                .Append(Event("message_delta", new JsonObject
                {
                    ["type"] = "message_delta",
                    ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
                    ["usage"] = usage.DeepClone(),
                }))
                .Append(Event("message_stop", new JsonObject { ["type"] = "message_stop" }));
            await context.Response.WriteAsync(sse.ToString());
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(message.ToJsonString());
    }

    /// <summary>The cache key of a prefix: the model and the blocks without their <c>cache_control</c>.</summary>
    private static string Key(string model, IEnumerable<JsonObject> prefix)
    {
        var text = new StringBuilder(model);
        foreach (var block in prefix)
        {
            var copy = block.DeepClone().AsObject();
            copy.Remove("cache_control");
            text.Append('\n').Append(copy.ToJsonString());
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Event(string name, JsonObject data) => $"event: {name}\ndata: {data.ToJsonString()}\n\n";

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
