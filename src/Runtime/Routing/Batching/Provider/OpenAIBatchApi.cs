using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using PromptOps.Pricing;

namespace PromptOps.Routing.Batching;

/// <summary>
/// OpenAI's Batch API on <c>/v1/chat/completions</c>: the items as a JSONL file (<c>{custom_id, method, url, body}</c> per
/// line) uploaded with <c>POST /v1/files</c> (<c>purpose=batch</c>), the batch created with <c>POST /v1/batches</c>, polled
/// with <c>GET /v1/batches/{id}</c> (validating, in_progress, finalizing, completed, failed, expired, cancelling,
/// cancelled), and its results read from <c>GET /v1/files/{output_file_id}/content</c> and <c>…/{error_file_id}/content</c>.
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed class OpenAIBatchApi(HttpClient http, ProviderBatchOptions options) : BatchApiHttp(http, options), IBatchApi
{
    private const string Endpoint = "/v1/chat/completions";

    protected override void Authorize(HttpRequestMessage request)
    {
        if (Options.ApiKey is { Length: > 0 } key) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public string BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model)
    {
        RefuseTools(options);
        var list = new JsonArray();
        foreach (var m in messages)
        {
            var role = m.Role == ChatRole.System ? "system" : m.Role == ChatRole.Assistant ? "assistant" : m.Role == ChatRole.User ? "user"
                : throw new NotSupportedException($"A deferrable call carries system, user and assistant messages only, not {m.Role}.");
            list.Add(new JsonObject { ["role"] = role, ["content"] = TextOf(m) });
        }

        if (list.Count == 0) throw new ArgumentException("A deferrable call needs at least one message.", nameof(messages));
        var body = new JsonObject { ["model"] = model, ["messages"] = list };
        if (options?.MaxOutputTokens is { } max) body["max_completion_tokens"] = max;
        if (options?.Temperature is { } t) body["temperature"] = t;
        if (options?.TopP is { } p) body["top_p"] = p;
        if (options?.FrequencyPenalty is { } f) body["frequency_penalty"] = f;
        if (options?.PresencePenalty is { } pp) body["presence_penalty"] = pp;
        if (options?.Seed is { } seed) body["seed"] = seed;
        if (options?.StopSequences is { Count: > 0 } stops) body["stop"] = new JsonArray([.. stops.Select(s => (JsonNode?)s)]);
        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            body["response_format"] = json.Schema is { } schema
                ? new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = json.SchemaName ?? "response", ["schema"] = JsonNode.Parse(schema.GetRawText()) },
                }
                : new JsonObject { ["type"] = "json_object" };
        }

        return body.ToJsonString();
    }

    public async Task<string> SubmitAsync(IReadOnlyList<(string CustomId, string RequestJson)> items, CancellationToken cancellationToken)
    {
        var jsonl = new StringBuilder();
        foreach (var (id, request) in items)
        {
            jsonl.Append(new JsonObject { ["custom_id"] = id, ["method"] = "POST", ["url"] = Endpoint, ["body"] = JsonNode.Parse(request) }.ToJsonString()).Append('\n');
        }

        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("batch"), "purpose");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl.ToString()));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
        form.Add(file, "file", "promptops-batch.jsonl");
        var uploaded = JsonNode.Parse(await SendAsync(HttpMethod.Post, "v1/files", form, cancellationToken).ConfigureAwait(false));
        var fileId = Str(uploaded?["id"]) ?? throw new FormatException("POST /v1/files answered without a file id.");
        var batch = await SendJsonAsync(HttpMethod.Post, "v1/batches",
            new JsonObject { ["input_file_id"] = fileId, ["endpoint"] = Endpoint, ["completion_window"] = Options.CompletionWindow }, cancellationToken).ConfigureAwait(false);
        return Str(batch["id"]) ?? throw new FormatException("POST /v1/batches answered without a batch id.");
    }

    public async Task<BatchApiStatus> GetStatusAsync(string providerBatchId, CancellationToken cancellationToken)
    {
        var batch = await SendJsonAsync(HttpMethod.Get, "v1/batches/" + Uri.EscapeDataString(providerBatchId), null, cancellationToken).ConfigureAwait(false);
        var status = Str(batch["status"]) ?? throw new FormatException($"GET /v1/batches/{providerBatchId} answered without a status.");
        var state = status switch
        {
            "completed" => BatchRunState.Ended,
            "failed" => BatchRunState.Failed,
            "expired" => BatchRunState.Expired,
            "cancelled" => BatchRunState.Cancelled,
            _ => BatchRunState.Running, // validating, in_progress, finalizing, cancelling (and any status added later)
        };
        string? error = null;
        if (batch["errors"]?["data"] is JsonArray errors && errors.Count > 0)
            error = string.Join("; ", errors.Select(e => $"{Str(e?["code"])}: {Str(e?["message"])}"));
        return new BatchApiStatus(providerBatchId, status, state, Str(batch["output_file_id"]), Str(batch["error_file_id"]), Error: error);
    }

    public async Task<IReadOnlyDictionary<string, BatchApiItemResult>> ReadResultsAsync(BatchApiStatus status, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, BatchApiItemResult>(StringComparer.Ordinal);
        foreach (var fileId in new[] { status.OutputFileId, status.ErrorFileId })
        {
            if (fileId is null) continue;
            var text = await SendAsync(HttpMethod.Get, "v1/files/" + Uri.EscapeDataString(fileId) + "/content", null, cancellationToken).ConfigureAwait(false);
            foreach (var line in JsonLines(text))
            {
                if (Str(line["custom_id"]) is not { } id) continue;
                results[id] = Read(line);
            }
        }

        return results;
    }

    private static BatchApiItemResult Read(JsonObject line)
    {
        var response = line["response"] as JsonObject;
        var code = Long(response?["status_code"]);
        if (code is >= 200 and < 300 && response?["body"] is JsonObject body) return BatchApiItemResult.Succeeded(body.ToJsonString());
        var error = line["error"] as JsonObject ?? response?["body"]?["error"] as JsonObject;
        var errorCode = Str(error?["code"]);
        var message = $"{(code > 0 ? $"{code} " : "")}{errorCode}: {Str(error?["message"])}";
        return errorCode switch
        {
            "batch_expired" => new(null, message, ProviderBatchFailureKind.Expired, true),
            "batch_cancelled" => new(null, message, ProviderBatchFailureKind.Cancelled, false),
            _ => new(null, message, ProviderBatchFailureKind.Errored, code is 0 or 408 or 429 or >= 500),
        };
    }

    public ChatResponse ParseResponse(string resultJson)
    {
        var body = JsonNode.Parse(resultJson) as JsonObject ?? throw new FormatException("A stored OpenAI result is not a JSON object.");
        var choice = (body["choices"] as JsonArray)?.FirstOrDefault() as JsonObject;
        var text = Str(choice?["message"]?["content"]) ?? "";
        var usage = body["usage"] as JsonObject;
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = Str(body["model"]),
            ResponseId = Str(body["id"]),
            FinishReason = Str(choice?["finish_reason"]) switch
            {
                "stop" => ChatFinishReason.Stop,
                "length" => ChatFinishReason.Length,
                "content_filter" => ChatFinishReason.ContentFilter,
                "tool_calls" => ChatFinishReason.ToolCalls,
                _ => null,
            },
        };
        if (usage is not null)
        {
            var prompt = Long(usage["prompt_tokens"]);
            var cached = Math.Min(prompt, Long(usage["prompt_tokens_details"]?["cached_tokens"]));
            response.Usage = ProviderUsage.FromOpenAI(prompt, cached, Long(usage["completion_tokens"]));
        }

        if (body["created"] is JsonValue created && created.TryGetValue<long>(out var unix)) response.CreatedAt = DateTimeOffset.FromUnixTimeSeconds(unix);
        return response;
    }
}
