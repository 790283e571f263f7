using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace PromptOps.Routing.Batching;

/// <summary>The HTTP and text plumbing the two batch APIs share.</summary>
[Experimental(ExperimentalApi.Id, UrlFormat = ExperimentalApi.UrlFormat)]
internal abstract class BatchApiHttp(HttpClient http, ProviderBatchOptions options)
{
    protected ProviderBatchOptions Options { get; } = options;

    protected HttpClient Http { get; } = http;

    protected Uri Resolve(string pathOrUrl) => Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var abs) && abs.Scheme is "http" or "https"
        ? abs
        : new Uri(Options.EffectiveBaseAddress, pathOrUrl.TrimStart('/'));

    /// <summary>Adds the provider's authentication and version headers.</summary>
    protected abstract void Authorize(HttpRequestMessage request);

    /// <summary>Sends a request and returns the body as text; a non-success status throws <see cref="BatchApiException"/>.</summary>
    protected async Task<string> SendAsync(HttpMethod method, string pathOrUrl, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Resolve(pathOrUrl)) { Content = content };
        Authorize(request);
        using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw new BatchApiException(response.StatusCode, $"{method} {request.RequestUri} answered {(int)response.StatusCode}: {Shorten(text)}");
        return text;
    }

    protected async Task<JsonObject> SendJsonAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var content = body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var text = await SendAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(text) as JsonObject ?? throw new BatchApiException(HttpStatusCode.OK, $"{method} {path} answered with JSON that is not an object: {Shorten(text)}");
    }

    /// <summary>The lines of a JSONL body that parse as objects (blank lines skipped; a malformed line throws).</summary>
    protected static IEnumerable<JsonObject> JsonLines(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            yield return JsonNode.Parse(line) as JsonObject ?? throw new FormatException($"A results line is not a JSON object: {Shorten(line)}");
        }
    }

    /// <summary>The text of a message; anything but text content is refused (a batch request carries text here).</summary>
    protected static string TextOf(ChatMessage message)
    {
        foreach (var content in message.Contents)
        {
            if (content is not TextContent)
                throw new NotSupportedException($"A deferrable call carries text messages only; a {message.Role} message has {content.GetType().Name}. Call it without Deferrable().");
        }

        return message.Text;
    }

    protected static void RefuseTools(ChatOptions? options)
    {
        if (options?.Tools is { Count: > 0 }) throw new NotSupportedException("A deferrable call cannot carry tools (the batch answers once, with no tool loop). Call it without Deferrable().");
    }

    protected static string Shorten(string text) => text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 300), "…");

    protected static long Long(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var l) ? l : 0;

    protected static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    protected static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
