using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PromptOps.Tokens;

namespace PromptOps.Caching.Provider;

/// <summary>
/// An <see cref="HttpMessageHandler"/> for a provider SDK's <see cref="HttpClient"/> that places the provider's prompt cache
/// on the request body, so no provider SDK type is needed:
/// <list type="bullet">
/// <item>Anthropic Messages API (<c>POST …/v1/messages</c>): when the static prefix — tools, the system text, and for a
/// <c>[Prompt]</c> call the fixed start of its template (<see cref="PromptOpsMetadata.StaticPrefixLength"/>) — is at least the
/// model's minimum cacheable size (<see cref="ProviderCacheMinimums"/>), marks its end with
/// <c>"cache_control": {"type": "ephemeral"}</c> (and <c>"ttl": "1h"</c> when <see cref="ProviderPromptCacheOptions.AnthropicTtl"/>
/// says so). A request that already carries a <c>cache_control</c> anywhere is left as it is: the caller placed its own (when
/// every one of them is <c>"ttl": "1h"</c>, the chat layer reports the request's cache writes as one-hour writes, also with
/// <see cref="ProviderPromptCacheOptions.Enabled"/> false).</item>
/// <item>OpenAI chat completions and responses (<c>POST …/chat/completions</c>, <c>…/responses</c>): for a call with a prompt id,
/// adds <c>prompt_cache_key</c> derived from the prompt id and version (<see cref="PromptCacheKeyOf"/>) unless the body has one.</item>
/// </list>
/// Anything else (other paths, bodies that are not JSON objects) passes through unchanged. Use it as the SDK's
/// <see cref="HttpClient"/> (<see cref="CreateHttpClient"/>), e.g. <c>new AnthropicClient { HttpClient = ProviderPromptCacheHandler.CreateHttpClient() }</c>;
/// with <c>UsePromptOps()</c> (or <c>UseProviderPromptCache()</c>) in the chat pipeline it also knows the prompt of each request.
/// Token counts of the prefix are PromptOps' estimate for the model (<see cref="TokenCounters.ForModel"/>; Claude's own
/// tokenizer is not public), so a prefix within a few percent of the minimum may be marked and not cached, or the reverse.
/// </summary>
public sealed class ProviderPromptCacheHandler : DelegatingHandler
{
    private readonly ProviderPromptCacheOptions _options;

    /// <summary>A handler with <see cref="ProviderPromptCacheOptions"/>'s defaults and no inner handler yet.</summary>
    public ProviderPromptCacheHandler()
        : this(options: null)
    {
    }

    /// <summary>A handler with <paramref name="options"/> (null: <see cref="ProviderPromptCacheOptions"/>'s defaults) and no inner handler yet.</summary>
    public ProviderPromptCacheHandler(ProviderPromptCacheOptions? options)
    {
        _options = options ?? new ProviderPromptCacheOptions();
        _options.Validate();
    }

    /// <summary>A handler in front of <paramref name="innerHandler"/>.</summary>
    public ProviderPromptCacheHandler(HttpMessageHandler innerHandler, ProviderPromptCacheOptions? options = null)
        : this(options)
    {
        ArgumentNullException.ThrowIfNull(innerHandler);
        InnerHandler = innerHandler;
    }

    /// <summary>An <see cref="HttpClient"/> whose requests go through this handler, then <paramref name="innerHandler"/> (default: a new <see cref="SocketsHttpHandler"/>).</summary>
    public static HttpClient CreateHttpClient(ProviderPromptCacheOptions? options = null, HttpMessageHandler? innerHandler = null) =>
        new(new ProviderPromptCacheHandler(innerHandler ?? new SocketsHttpHandler(), options));

    /// <summary>
    /// OpenAI's <c>prompt_cache_key</c> for a prompt: <c>po-</c> and 32 hex digits of the SHA-256 of the prompt id and version, so
    /// each version of each prompt has its own key, short and free of the prompt's name.
    /// </summary>
    public static string PromptCacheKeyOf(string promptId, string? promptVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(promptId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(promptId + "\n" + promptVersion));
        return "po-" + Hex.ToLower(hash.AsSpan(0, 16));
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hint = ProviderCacheHint.Current;
        var options = hint?.Options ?? _options;
        var kind = request.Method == HttpMethod.Post && request.Content is not null ? KindOf(request.RequestUri) : ApiKind.None;
        // Off, the body is only read to learn the TTL of the caller's own breakpoints (for the usage meter, through the chat layer).
        if (!options.Enabled && (kind != ApiKind.AnthropicMessages || hint is null)) kind = ApiKind.None;
        if (kind != ApiKind.None && await ReadObjectAsync(request.Content!, cancellationToken).ConfigureAwait(false) is { } body)
        {
            var changed = kind != ApiKind.AnthropicMessages ? AddPromptCacheKey(body, options, hint)
                : options.Enabled ? PlaceBreakpoint(body, options, hint)
                : NoteCallerBreakpoints(body, hint);
            if (changed)
            {
                var original = request.Content!;
                var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
                content.Headers.ContentType = original.Headers.ContentType ?? new MediaTypeHeaderValue("application/json");
                request.Content = content;
                original.Dispose();
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private enum ApiKind
    {
        None,
        AnthropicMessages,
        OpenAi,
    }

    private static ApiKind KindOf(Uri? uri)
    {
        var path = uri?.AbsolutePath.TrimEnd('/') ?? "";
        if (path.EndsWith("/v1/messages", StringComparison.Ordinal)) return ApiKind.AnthropicMessages;
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal) || path.EndsWith("/responses", StringComparison.Ordinal)) return ApiKind.OpenAi;
        return ApiKind.None;
    }

    private static async Task<JsonObject?> ReadObjectAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var text = await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // not JSON: not a request this handler understands; sent as it is
        }
    }

    private static bool AddPromptCacheKey(JsonObject body, ProviderPromptCacheOptions options, ProviderCacheHint? hint)
    {
        if (!options.OpenAiPromptCacheKey || hint?.PromptId is not { Length: > 0 } promptId || body.ContainsKey("prompt_cache_key")) return false;
        var key = PromptCacheKeyOf(promptId, hint.PromptVersion);
        body["prompt_cache_key"] = key;
        hint.PromptCacheKey = key;
        return true;
    }

    private static bool PlaceBreakpoint(JsonObject body, ProviderPromptCacheOptions options, ProviderCacheHint? hint)
    {
        if (body["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model) || body["messages"] is not JsonArray messages) return false;
        if (HasCacheControl(body)) return NoteCallerBreakpoints(body, hint);
        var counter = TokenCounters.ForModel(model);
        var toolTokens = body["tools"] is JsonArray { Count: > 0 } tools ? counter.CountTokens(tools.ToJsonString()) : 0;
        var system = SystemBlocks(body);
        var systemText = string.Concat(system.Select(b => (string?)b["text"] ?? ""));
        var staticLength = hint?.StaticPrefixLength is { } n ? Math.Max(0, n) : systemText.Length;

        // Where the static prefix ends: inside the system text, or inside the first user message after all of it.
        string prefixText;
        Func<JsonObject, bool> mark;
        if (staticLength <= systemText.Length)
        {
            if (staticLength == 0 && toolTokens == 0) return false;
            prefixText = systemText[..staticLength];
            mark = cc => staticLength == 0 ? MarkLastTool(body, cc) : MarkSystemAt(body, system, staticLength, cc);
        }
        else
        {
            if (messages.Count == 0 || messages[0] is not JsonObject first || (string?)first["role"] != "user" || FirstText(first) is not { } userText) return false;
            var userLength = Math.Min(staticLength - systemText.Length, userText.Length);
            prefixText = systemText + userText[..userLength];
            mark = cc => MarkFirstUserAt(first, userLength, cc);
        }

        var tokens = toolTokens + (prefixText.Length == 0 ? 0 : counter.CountTokens(prefixText));
        if (tokens < ProviderCacheMinimums.ForAnthropic(model)) return false;
        var ttl = options.AnthropicTtl;
        var cacheControl = new JsonObject { ["type"] = "ephemeral" };
        if (ttl == ProviderCacheTtl.OneHour) cacheControl["ttl"] = "1h";
        if (!mark(cacheControl)) return false;
        if (hint is not null) hint.PlacedTtl = ttl;
        return true;
    }

    /// <summary>
    /// For a request that marks its own breakpoints (left as they are): notes on the hint whether they all have
    /// <c>"ttl": "1h"</c> (then every cache write of the request is a one-hour write) or none has. Changes nothing: false.
    /// </summary>
    private static bool NoteCallerBreakpoints(JsonObject body, ProviderCacheHint? hint)
    {
        if (hint is null) return false;
        var marks = new List<JsonObject>();
        CollectCacheControls(body, marks);
        if (marks.Count == 0) return false;
        var oneHour = marks.Count(m => m["ttl"] is JsonValue v && v.TryGetValue<string>(out var ttl) && ttl == "1h");
        // Mixed TTLs: the SDK does not report how the writes split between them, so they stay priced as 5-minute writes.
        hint.CallerTtl = oneHour == marks.Count ? ProviderCacheTtl.OneHour : oneHour == 0 ? ProviderCacheTtl.FiveMinutes : null;
        return false;
    }

    private static void CollectCacheControls(JsonNode? node, List<JsonObject> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    if (name == "cache_control" && value is JsonObject mark) found.Add(mark);
                    else CollectCacheControls(value, found);
                }

                break;
            case JsonArray a:
                foreach (var item in a) CollectCacheControls(item, found);
                break;
        }
    }

    private static bool HasCacheControl(JsonNode? node) => node switch
    {
        JsonObject o => o.ContainsKey("cache_control") || o.Any(p => HasCacheControl(p.Value)),
        JsonArray a => a.Any(HasCacheControl),
        _ => false,
    };

    /// <summary>The system prompt as text blocks; a string <c>system</c> is turned into one block (the API accepts both).</summary>
    private static List<JsonObject> SystemBlocks(JsonObject body)
    {
        switch (body["system"])
        {
            case JsonValue v when v.TryGetValue<string>(out var s):
                var block = new JsonObject { ["type"] = "text", ["text"] = s };
                body["system"] = new JsonArray(block);
                return [block];
            case JsonArray a:
                return a.OfType<JsonObject>().Where(b => (string?)b["type"] == "text").ToList();
            default:
                return [];
        }
    }

    private static bool MarkLastTool(JsonObject body, JsonObject cacheControl)
    {
        if (body["tools"] is not JsonArray { Count: > 0 } tools || tools[^1] is not JsonObject last) return false;
        last["cache_control"] = cacheControl;
        return true;
    }

    private static bool MarkSystemAt(JsonObject body, List<JsonObject> blocks, int length, JsonObject cacheControl)
    {
        var array = (JsonArray)body["system"]!;
        var offset = 0;
        foreach (var block in blocks)
        {
            var text = (string?)block["text"] ?? "";
            if (offset + text.Length >= length)
            {
                SplitAt(array, block, length - offset, cacheControl);
                return true;
            }

            offset += text.Length;
        }

        return false;
    }

    private static string? FirstText(JsonObject message) => message["content"] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonArray { Count: > 0 } a when a[0] is JsonObject b && (string?)b["type"] == "text" => (string?)b["text"],
        _ => null,
    };

    private static bool MarkFirstUserAt(JsonObject message, int length, JsonObject cacheControl)
    {
        if (message["content"] is JsonValue v && v.TryGetValue<string>(out var s))
        {
            var block = new JsonObject { ["type"] = "text", ["text"] = s };
            message["content"] = new JsonArray(block);
        }

        var array = (JsonArray)message["content"]!;
        if (length == 0 || array[0] is not JsonObject first) return false;
        SplitAt(array, first, length, cacheControl);
        return true;
    }

    /// <summary>Marks the first <paramref name="length"/> characters of <paramref name="block"/>: the block is cut there when the mark falls inside it.</summary>
    private static void SplitAt(JsonArray array, JsonObject block, int length, JsonObject cacheControl)
    {
        var text = (string?)block["text"] ?? "";
        if (length < text.Length)
        {
            var rest = new JsonObject { ["type"] = "text", ["text"] = text[length..] };
            block["text"] = text[..length];
            array.Insert(array.IndexOf(block) + 1, rest);
        }

        block["cache_control"] = cacheControl;
    }
}
