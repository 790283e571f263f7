using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PromptOps.Batching.Tests.Infrastructure;

/// <summary>What the server does with one item of a batch that is processed.</summary>
internal enum ItemFate
{
    /// <summary>Answered: "answer to: {last user message}".</summary>
    Succeed,

    /// <summary>A server error (OpenAI: status 500 in the error file; Anthropic: errored, api_error): retryable.</summary>
    ServerError,

    /// <summary>A rejected request (OpenAI: 400; Anthropic: errored, invalid_request_error): final.</summary>
    Reject,
}

/// <summary>How a batch ends.</summary>
internal enum BatchEnding
{
    /// <summary>Every item processed (each by its <see cref="ItemFate"/>).</summary>
    Complete,

    /// <summary>The first half processed, the rest expired (OpenAI: status expired, batch_expired lines; Anthropic: expired results).</summary>
    Expire,

    /// <summary>The first half processed, the rest cancelled (OpenAI: status cancelled, no lines; Anthropic: canceled results).</summary>
    Cancel,

    /// <summary>OpenAI only: status failed (the input did not validate), no results.</summary>
    Fail,
}

/// <summary>
/// A loopback server (Kestrel, free port) implementing the batch endpoints of both providers as documented:
/// OpenAI — <c>POST /v1/files</c> (multipart, purpose=batch, JSONL of {custom_id, method, url, body}), <c>POST /v1/batches</c>,
/// <c>GET /v1/batches/{id}</c> (validating on the first poll, then the end state), <c>GET /v1/files/{id}/content</c>;
/// Anthropic — <c>POST /v1/messages/batches</c> ({requests: [{custom_id, params}]}), <c>GET /v1/messages/batches/{id}</c>
/// (in_progress, then ended with results_url), <c>GET /v1/messages/batches/{id}/results</c>. Both check the API key header.
/// A batch is processed on the first poll after its number is below <see cref="ReleasedBelow"/> (all of them by default).
/// </summary>
internal sealed class BatchApiServer : IAsyncDisposable
{
    public const string ApiKey = "test-key";

    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, ServerBatch> _batches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _submissions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _processed = new(StringComparer.Ordinal);
    private int _nextFile, _nextBatch, _polls;

    private BatchApiServer(WebApplication app) => _app = app;

    /// <summary>The root address (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Batches numbered (0-based, in creation order) at or above this stay in progress. Default: none held.</summary>
    public int ReleasedBelow { get; set; } = int.MaxValue;

    /// <summary>The fate of an item (by its last message's text) on its n-th submission (1-based).</summary>
    public Func<string, int, ItemFate> Fate { get; set; } = (_, _) => ItemFate.Succeed;

    /// <summary>How the batch of that number ends.</summary>
    public Func<int, BatchEnding> Ending { get; set; } = _ => BatchEnding.Complete;

    /// <summary>Batches created.</summary>
    public int BatchesCreated
    {
        get
        {
            lock (_lock) return _batches.Count;
        }
    }

    /// <summary>Batches that are processed (ended).</summary>
    public int BatchesEnded
    {
        get
        {
            lock (_lock) return _batches.Values.Count(b => b.Ended);
        }
    }

    /// <summary>Status polls answered.</summary>
    public int Polls => Volatile.Read(ref _polls);

    /// <summary>How many batches each custom_id was submitted in.</summary>
    public IReadOnlyDictionary<string, int> Submissions => _submissions;

    /// <summary>How many times each custom_id was answered successfully.</summary>
    public IReadOnlyDictionary<string, int> Answered => _processed;

    public static async Task<BatchApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxRequestBodySize = 200_000_000;
        });
        var app = builder.Build();
        var server = new BatchApiServer(app);
        app.MapPost("/v1/files", server.UploadAsync);
        app.MapPost("/v1/batches", server.CreateOpenAIAsync);
        app.MapGet("/v1/batches/{id}", (HttpContext http, string id) => server.GetOpenAIAsync(http, id));
        app.MapGet("/v1/files/{id}/content", (HttpContext http, string id) => server.FileAsync(http, id));
        app.MapPost("/v1/messages/batches", server.CreateAnthropicAsync);
        app.MapGet("/v1/messages/batches/{id}", (HttpContext http, string id) => server.GetAnthropicAsync(http, id));
        app.MapGet("/v1/messages/batches/{id}/results", (HttpContext http, string id) => server.ResultsAsync(http, id));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool OpenAIAuthorized(HttpContext http) => http.Request.Headers.Authorization.ToString() == "Bearer " + ApiKey;

    private static bool AnthropicAuthorized(HttpContext http) =>
        http.Request.Headers["x-api-key"].ToString() == ApiKey && http.Request.Headers["anthropic-version"].ToString().Length > 0;

    private static Task Error(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error" } }.ToJsonString());
    }

    private static Task Json(HttpContext http, JsonNode body)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(body.ToJsonString());
    }

    private async Task UploadAsync(HttpContext http)
    {
        if (!OpenAIAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        var form = await http.Request.ReadFormAsync();
        if (form["purpose"] != "batch") { await Error(http, 400, "purpose must be batch"); return; }
        if (form.Files.GetFile("file") is not { } file) { await Error(http, 400, "no file"); return; }
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        string id;
        lock (_lock)
        {
            id = "file-" + (_nextFile++).ToString(CultureInfo.InvariantCulture);
            _files[id] = text;
        }

        await Json(http, new JsonObject { ["id"] = id, ["object"] = "file", ["purpose"] = "batch", ["bytes"] = text.Length });
    }

    private async Task CreateOpenAIAsync(HttpContext http)
    {
        if (!OpenAIAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        var body = (await JsonNode.ParseAsync(http.Request.Body))!;
        if ((string?)body["endpoint"] != "/v1/chat/completions" || (string?)body["completion_window"] != "24h") { await Error(http, 400, "bad endpoint or window"); return; }
        string? text;
        lock (_lock) _files.TryGetValue((string?)body["input_file_id"] ?? "", out text);
        if (text is null) { await Error(http, 404, "no such file"); return; }
        var items = new List<(string, JsonObject)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var node = JsonNode.Parse(line)!.AsObject();
            if ((string?)node["method"] != "POST" || (string?)node["url"] != "/v1/chat/completions" || node["body"] is not JsonObject request)
            {
                await Error(http, 400, "bad line: " + line);
                return;
            }

            items.Add(((string)node["custom_id"]!, request));
        }

        if (items.Select(i => i.Item1).Distinct().Count() != items.Count) { await Error(http, 400, "duplicate custom_id"); return; }
        var batch = Add("batch_", items);
        await Json(http, new JsonObject { ["id"] = batch.Id, ["object"] = "batch", ["status"] = "validating", ["input_file_id"] = (string?)body["input_file_id"] });
    }

    private async Task CreateAnthropicAsync(HttpContext http)
    {
        if (!AnthropicAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        var body = (await JsonNode.ParseAsync(http.Request.Body))!;
        var items = new List<(string, JsonObject)>();
        foreach (var node in body["requests"]!.AsArray())
        {
            if (node?["params"] is not JsonObject p || p["max_tokens"] is null || p["messages"] is not JsonArray) { await Error(http, 400, "bad request"); return; }
            items.Add(((string)node["custom_id"]!, p));
        }

        if (items.Select(i => i.Item1).Distinct().Count() != items.Count) { await Error(http, 400, "duplicate custom_id"); return; }
        var batch = Add("msgbatch_", items);
        await Json(http, AnthropicBatch(batch));
    }

    private ServerBatch Add(string prefix, List<(string CustomId, JsonObject Body)> items)
    {
        foreach (var (id, _) in items) _submissions.AddOrUpdate(id, 1, (_, n) => n + 1);
        lock (_lock)
        {
            var number = _nextBatch++;
            var batch = new ServerBatch(prefix + number.ToString(CultureInfo.InvariantCulture), number,
                [.. items.Select(i => (i.CustomId, i.Body, _submissions[i.CustomId]))]);
            _batches[batch.Id] = batch;
            return batch;
        }
    }

    private async Task GetOpenAIAsync(HttpContext http, string id)
    {
        if (!OpenAIAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        Interlocked.Increment(ref _polls);
        ServerBatch? batch;
        lock (_lock) _batches.TryGetValue(id, out batch);
        if (batch is null) { await Error(http, 404, "no such batch"); return; }
        var status = "validating";
        lock (_lock)
        {
            if (batch.Polled && batch.Number < ReleasedBelow) Process(batch, openAI: true);
            if (batch.Polled && !batch.Ended) status = "in_progress";
            batch.Polled = true;
            if (batch.Ended) status = batch.Status;
        }

        var body = new JsonObject { ["id"] = batch.Id, ["object"] = "batch", ["endpoint"] = "/v1/chat/completions", ["status"] = status };
        if (batch.Ended)
        {
            body["output_file_id"] = batch.OutputFileId;
            body["error_file_id"] = batch.ErrorFileId;
            if (status == "failed") body["errors"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["code"] = "invalid_json_line", ["message"] = "scripted failure", ["line"] = 1 }) };
        }

        await Json(http, body);
    }

    private async Task GetAnthropicAsync(HttpContext http, string id)
    {
        if (!AnthropicAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        Interlocked.Increment(ref _polls);
        ServerBatch? batch;
        lock (_lock) _batches.TryGetValue(id, out batch);
        if (batch is null) { await Error(http, 404, "no such batch"); return; }
        lock (_lock)
        {
            if (batch.Polled && batch.Number < ReleasedBelow) Process(batch, openAI: false);
            batch.Polled = true;
        }

        await Json(http, AnthropicBatch(batch));
    }

    private JsonObject AnthropicBatch(ServerBatch batch) => new()
    {
        ["id"] = batch.Id,
        ["type"] = "message_batch",
        ["processing_status"] = batch.Ended ? "ended" : "in_progress",
        ["results_url"] = batch.Ended ? new Uri(BaseAddress, $"v1/messages/batches/{batch.Id}/results").ToString() : null,
    };

    private async Task FileAsync(HttpContext http, string id)
    {
        if (!OpenAIAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        string? text;
        lock (_lock) _files.TryGetValue(id, out text);
        if (text is null) { await Error(http, 404, "no such file"); return; }
        http.Response.ContentType = "application/jsonl";
        await http.Response.WriteAsync(text);
    }

    private async Task ResultsAsync(HttpContext http, string id)
    {
        if (!AnthropicAuthorized(http)) { await Error(http, 401, "bad key"); return; }
        ServerBatch? batch;
        lock (_lock) _batches.TryGetValue(id, out batch);
        if (batch is not { Ended: true }) { await Error(http, 404, "no results yet"); return; }
        http.Response.ContentType = "application/binary";
        await http.Response.WriteAsync(batch.Results!);
    }

    /// <summary>Ends the batch: its results by the scripted fates and ending (called under the lock).</summary>
    private void Process(ServerBatch batch, bool openAI)
    {
        if (batch.Ended) return;
        var ending = Ending(batch.Number);
        if (!openAI && ending == BatchEnding.Fail) ending = BatchEnding.Complete;
        var output = new StringBuilder();
        var errors = new StringBuilder();
        for (var i = 0; i < batch.Items.Count; i++)
        {
            var (id, body, attempt) = batch.Items[i];
            var processed = ending == BatchEnding.Complete || (ending != BatchEnding.Fail && i < batch.Items.Count / 2);
            JsonObject line;
            if (!processed)
            {
                if (ending == BatchEnding.Fail || (openAI && ending == BatchEnding.Cancel)) continue; // no line at all
                line = openAI
                    ? new JsonObject { ["custom_id"] = id, ["response"] = null, ["error"] = new JsonObject { ["code"] = "batch_expired", ["message"] = "This request could not be executed before the completion window expired." } }
                    : new JsonObject { ["custom_id"] = id, ["result"] = new JsonObject { ["type"] = ending == BatchEnding.Expire ? "expired" : "canceled" } };
                (openAI ? errors : output).Append(line.ToJsonString()).Append('\n');
                continue;
            }

            var fate = Fate(LastText(body), attempt);
            if (fate == ItemFate.Succeed) _processed.AddOrUpdate(id, 1, (_, n) => n + 1);
            line = openAI ? OpenAILine(id, body, fate) : AnthropicLine(id, body, fate);
            (openAI && fate != ItemFate.Succeed ? errors : output).Append(line.ToJsonString()).Append('\n');
        }

        if (openAI)
        {
            batch.Status = ending switch { BatchEnding.Expire => "expired", BatchEnding.Cancel => "cancelled", BatchEnding.Fail => "failed", _ => "completed" };
            if (output.Length > 0) _files[batch.OutputFileId = "file-out-" + batch.Id] = output.ToString();
            if (errors.Length > 0) _files[batch.ErrorFileId = "file-err-" + batch.Id] = errors.ToString();
        }
        else
        {
            batch.Results = output.ToString();
        }

        batch.Ended = true;
    }

    /// <summary>The deterministic answer to a request: "answer to: " and its last message's text.</summary>
    public static string AnswerTo(JsonObject body) => "answer to: " + LastText(body);

    private static string LastText(JsonObject body) => (string?)body["messages"]!.AsArray().Last()!["content"] ?? "";

    private static JsonObject OpenAILine(string id, JsonObject body, ItemFate fate) => fate switch
    {
        ItemFate.Succeed => new JsonObject
        {
            ["id"] = "batch_req_" + id,
            ["custom_id"] = id,
            ["response"] = new JsonObject
            {
                ["status_code"] = 200,
                ["request_id"] = "req_" + id,
                ["body"] = new JsonObject
                {
                    ["id"] = "chatcmpl-" + id,
                    ["object"] = "chat.completion",
                    ["created"] = 1_764_800_000,
                    ["model"] = (string?)body["model"],
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = AnswerTo(body) },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject
                    {
                        ["prompt_tokens"] = 100, ["completion_tokens"] = 10, ["total_tokens"] = 110,
                        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                    },
                },
            },
            ["error"] = null,
        },
        _ => new JsonObject
        {
            ["id"] = "batch_req_" + id,
            ["custom_id"] = id,
            ["response"] = new JsonObject
            {
                ["status_code"] = fate == ItemFate.ServerError ? 500 : 400,
                ["request_id"] = "req_" + id,
                ["body"] = new JsonObject
                {
                    ["error"] = new JsonObject
                    {
                        ["message"] = fate == ItemFate.ServerError ? "The server had an error." : "Invalid value for 'max_completion_tokens'.",
                        ["type"] = fate == ItemFate.ServerError ? "server_error" : "invalid_request_error",
                        ["code"] = fate == ItemFate.ServerError ? "server_error" : "invalid_value",
                    },
                },
            },
            ["error"] = null,
        },
    };

    private static JsonObject AnthropicLine(string id, JsonObject body, ItemFate fate) => new()
    {
        ["custom_id"] = id,
        ["result"] = fate switch
        {
            ItemFate.Succeed => new JsonObject
            {
                ["type"] = "succeeded",
                ["message"] = new JsonObject
                {
                    ["id"] = "msg_" + id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = (string?)body["model"],
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = AnswerTo(body) }),
                    ["stop_reason"] = "end_turn",
                    ["usage"] = new JsonObject { ["input_tokens"] = 60, ["cache_read_input_tokens"] = 40, ["cache_creation_input_tokens"] = 0, ["output_tokens"] = 10 },
                },
            },
            _ => new JsonObject
            {
                ["type"] = "errored",
                ["error"] = new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject
                    {
                        ["type"] = fate == ItemFate.ServerError ? "api_error" : "invalid_request_error",
                        ["message"] = fate == ItemFate.ServerError ? "Internal server error" : "max_tokens: must be at least 1",
                    },
                },
            },
        },
    };

    private sealed class ServerBatch(string id, int number, List<(string CustomId, JsonObject Body, int Attempt)> items)
    {
        public string Id { get; } = id;

        public int Number { get; } = number;

        public List<(string CustomId, JsonObject Body, int Attempt)> Items { get; } = items;

        public bool Polled { get; set; }

        public bool Ended { get; set; }

        public string Status { get; set; } = "validating";

        public string? OutputFileId { get; set; }

        public string? ErrorFileId { get; set; }

        public string? Results { get; set; }
    }
}
