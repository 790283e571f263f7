using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Routing.Wire;

/// <summary>One scripted answer of the loopback server.</summary>
internal abstract record Reply
{
    /// <summary>200 with a chat completion (non-streaming) or an SSE stream (streaming requests).</summary>
    public static Reply Ok(string text, int promptTokens = 100, int completionTokens = 10, int? cachedTokens = null, string? model = null) =>
        new OkReply(text, promptTokens, completionTokens, cachedTokens, model);

    /// <summary>An error status with an OpenAI-style error body and optional Retry-After.</summary>
    public static Reply Status(int status, string? retryAfter = null) => new StatusReply(status, retryAfter);

    /// <summary>Never answers until the client gives up (a timeout) or the server stops.</summary>
    public static Reply Hang { get; } = new HangReply();

    /// <summary>200 with a body that is not a chat completion.</summary>
    public static Reply Malformed { get; } = new MalformedReply();
}

internal sealed record OkReply(string Text, int PromptTokens, int CompletionTokens, int? CachedTokens, string? Model) : Reply;

internal sealed record StatusReply(int Code, string? RetryAfter) : Reply;

internal sealed record HangReply : Reply;

internal sealed record MalformedReply : Reply;

/// <summary>A request the server received.</summary>
internal sealed record ReceivedRequest(string Model, JsonNode Body, bool Stream);

/// <summary>
/// An OpenAI-compatible chat completions server on a free loopback port (Kestrel), owned by the test: it answers
/// <c>POST /v1/chat/completions</c> from a script (first queued reply first), else from <see cref="Default"/>.
/// </summary>
internal sealed class OpenAiCompatibleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Reply> _script = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<ReceivedRequest> _requests = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private OpenAiCompatibleServer(WebApplication app) => _app = app;

    /// <summary>The base address for the OpenAI client (<c>http://127.0.0.1:port/v1</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The answer when the script is empty: by default, "ok" from the requested model.</summary>
    public Func<ReceivedRequest, Reply> Default { get; set; } = _ => Reply.Ok("ok");

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests) return [.. _requests];
        }
    }

    public static async Task<OpenAiCompatibleServer> StartAsync()
    {
        var app = LoopbackApp.Create();
        var server = new OpenAiCompatibleServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        server.Endpoint = new Uri(await LoopbackApp.StartAsync(app) + "/v1");
        return server;
    }

    /// <summary>Queues replies, answered in order before <see cref="Default"/> applies again.</summary>
    public OpenAiCompatibleServer Enqueue(params Reply[] replies)
    {
        foreach (var r in replies) _script.Enqueue(r);
        return this;
    }

    /// <summary>Waits (real time, as a hang guard only) until <paramref name="count"/> requests have arrived in total.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Requests.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"The server received {Requests.Count} requests, not {count}.");
            await _arrived.WaitAsync(left);
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var body = (await JsonNode.ParseAsync(http.Request.Body))!;
        var request = new ReceivedRequest((string?)body["model"] ?? "", body, (bool?)body["stream"] ?? false);
        lock (_requests) _requests.Add(request);
        _arrived.Release();
        var reply = _script.TryDequeue(out var r) ? r : Default(request);
        switch (reply)
        {
            case OkReply ok when request.Stream:
                await WriteStreamAsync(http, request, ok);
                break;
            case OkReply ok:
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(Completion(request, ok).ToJsonString());
                break;
            case StatusReply s:
                http.Response.StatusCode = s.Code;
                if (s.RetryAfter is not null) http.Response.Headers["Retry-After"] = s.RetryAfter;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"error\":{\"message\":\"scripted " + s.Code + "\",\"type\":\"server_error\",\"code\":null}}");
                break;
            case HangReply:
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, linked.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                break;
            case MalformedReply:
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"id\": \"chatcmpl-x\", \"choices\": [ {\"message\": ");
                break;
        }
    }

    private static JsonObject Completion(ReceivedRequest request, OkReply ok) => new()
    {
        ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N"),
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = ok.Model ?? request.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = ok.Text },
            ["finish_reason"] = "stop",
        }),
        ["usage"] = Usage(ok),
    };

    private static JsonObject Usage(OkReply ok)
    {
        var usage = new JsonObject
        {
            ["prompt_tokens"] = ok.PromptTokens,
            ["completion_tokens"] = ok.CompletionTokens,
            ["total_tokens"] = ok.PromptTokens + ok.CompletionTokens,
        };
        if (ok.CachedTokens is { } cached) usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = cached };
        return usage;
    }

    private static async Task WriteStreamAsync(HttpContext http, ReceivedRequest request, OkReply ok)
    {
        http.Response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var model = ok.Model ?? request.Model;
        var words = ok.Text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var chunk = new JsonObject
            {
                ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = (i > 0 ? " " : "") + words[i] },
                    ["finish_reason"] = i == words.Length - 1 ? "stop" : null,
                }),
            };
            await http.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n");
        }

        var usage = new JsonObject
        {
            ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
            ["choices"] = new JsonArray(), ["usage"] = Usage(ok),
        };
        await http.Response.WriteAsync("data: " + usage.ToJsonString() + "\n\ndata: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        _arrived.Dispose();
    }
}
