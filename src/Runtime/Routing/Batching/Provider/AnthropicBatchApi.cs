using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using PromptOps.Pricing;

namespace PromptOps.Routing.Batching;

/// <summary>
/// Anthropic's Message Batches API: <c>POST /v1/messages/batches</c> with <c>requests: [{custom_id, params}]</c>, polled
/// with <c>GET /v1/messages/batches/{id}</c> (<c>processing_status</c> in_progress, canceling, ended), results read from its
/// <c>results_url</c> (JSONL; <c>result.type</c> succeeded, errored, canceled, expired).
/// </summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal sealed class AnthropicBatchApi(HttpClient http, ProviderBatchOptions options) : BatchApiHttp(http, options), IBatchApi
{
    protected override void Authorize(HttpRequestMessage request)
    {
        if (Options.ApiKey is { Length: > 0 } key) request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", Options.AnthropicVersion);
    }

    public string BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model)
    {
        RefuseTools(options);
        var system = new List<string>();
        var list = new JsonArray();
        foreach (var m in messages)
        {
            if (m.Role == ChatRole.System)
            {
                system.Add(TextOf(m));
                continue;
            }

            var role = m.Role == ChatRole.Assistant ? "assistant" : m.Role == ChatRole.User ? "user"
                : throw new NotSupportedException($"A deferrable call carries system, user and assistant messages only, not {m.Role}.");
            list.Add(new JsonObject { ["role"] = role, ["content"] = TextOf(m) });
        }

        if (list.Count == 0) throw new ArgumentException("A deferrable call to Anthropic needs at least one user message.", nameof(messages));
        var body = new JsonObject { ["model"] = model, ["max_tokens"] = options?.MaxOutputTokens ?? Options.DefaultMaxOutputTokens };
        if (system.Count > 0) body["system"] = string.Join("\n\n", system);
        body["messages"] = list;
        if (options?.Temperature is { } t) body["temperature"] = t;
        if (options?.TopP is { } p) body["top_p"] = p;
        if (options?.TopK is { } k) body["top_k"] = k;
        if (options?.StopSequences is { Count: > 0 } stops) body["stop_sequences"] = new JsonArray([.. stops.Select(s => (JsonNode?)s)]);
        return body.ToJsonString();
    }

    public async Task<string> SubmitAsync(IReadOnlyList<(string CustomId, string RequestJson)> items, CancellationToken cancellationToken)
    {
        var requests = new JsonArray();
        foreach (var (id, request) in items) requests.Add(new JsonObject { ["custom_id"] = id, ["params"] = JsonNode.Parse(request) });
        var batch = await SendJsonAsync(HttpMethod.Post, "v1/messages/batches", new JsonObject { ["requests"] = requests }, cancellationToken).ConfigureAwait(false);
        return Str(batch["id"]) ?? throw new FormatException("POST /v1/messages/batches answered without a batch id.");
    }

    public async Task<BatchApiStatus> GetStatusAsync(string providerBatchId, CancellationToken cancellationToken)
    {
        var batch = await SendJsonAsync(HttpMethod.Get, "v1/messages/batches/" + Uri.EscapeDataString(providerBatchId), null, cancellationToken).ConfigureAwait(false);
        var status = Str(batch["processing_status"]) ?? throw new FormatException($"GET /v1/messages/batches/{providerBatchId} answered without a processing_status.");
        // in_progress and canceling: poll again; ended: every item has a result line (succeeded, errored, canceled, expired).
        return new BatchApiStatus(providerBatchId, status, status == "ended" ? BatchRunState.Ended : BatchRunState.Running, ResultsUrl: Str(batch["results_url"]));
    }

    public async Task<IReadOnlyDictionary<string, BatchApiItemResult>> ReadResultsAsync(BatchApiStatus status, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, BatchApiItemResult>(StringComparer.Ordinal);
        if (status.ResultsUrl is not { } url) return results;
        var text = await SendAsync(HttpMethod.Get, url, null, cancellationToken).ConfigureAwait(false);
        foreach (var line in JsonLines(text))
        {
            if (Str(line["custom_id"]) is not { } id || line["result"] is not JsonObject result) continue;
            results[id] = Str(result["type"]) switch
            {
                "succeeded" when result["message"] is JsonObject message => BatchApiItemResult.Succeeded(message.ToJsonString()),
                "expired" => new(null, "expired: the batch ended before the request was processed", ProviderBatchFailureKind.Expired, true),
                "canceled" => new(null, "canceled: the batch was cancelled before the request was processed", ProviderBatchFailureKind.Cancelled, false),
                _ => Errored(result["error"] as JsonObject),
            };
        }

        return results;
    }

    private static BatchApiItemResult Errored(JsonObject? error)
    {
        // {"type": "error", "error": {"type": "invalid_request_error", "message": "…"}}
        var inner = error?["error"] as JsonObject ?? error;
        var type = Str(inner?["type"]);
        return new(null, $"{type}: {Str(inner?["message"])}", ProviderBatchFailureKind.Errored, type is "api_error" or "overloaded_error" or "rate_limit_error" or "timeout_error");
    }

    public ChatResponse ParseResponse(string resultJson)
    {
        var message = JsonNode.Parse(resultJson) as JsonObject ?? throw new FormatException("A stored Anthropic result is not a JSON object.");
        var text = string.Concat((message["content"] as JsonArray ?? []).OfType<JsonObject>().Where(b => Str(b["type"]) == "text").Select(b => Str(b["text"])));
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = Str(message["model"]),
            ResponseId = Str(message["id"]),
            FinishReason = Str(message["stop_reason"]) switch
            {
                "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
                "max_tokens" => ChatFinishReason.Length,
                "tool_use" => ChatFinishReason.ToolCalls,
                "refusal" => ChatFinishReason.ContentFilter,
                _ => null,
            },
        };
        if (message["usage"] is JsonObject usage)
        {
            response.Usage = ProviderUsage.FromAnthropic(Long(usage["input_tokens"]), Long(usage["cache_read_input_tokens"]),
                Long(usage["cache_creation_input_tokens"]), Long(usage["output_tokens"]));
        }

        return response;
    }
}
