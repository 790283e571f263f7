using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>
/// The L2 entry format: <c>{"v":1,"key":"…","exp":unix-ms,"response":{ChatResponse JSON}}</c>. The key inside the
/// value guards against a value written under the wrong key; anything that does not parse, has another version,
/// another key or is expired reads as a miss (and is overwritten by the next store), never as an exception.
/// </summary>
internal static class CacheEntrySerializer
{
    private const int Version = 1;

    public static byte[] Serialize(string key, ChatResponse response, DateTimeOffset expiresAt)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", Version);
            w.WriteString("key", key);
            w.WriteNumber("exp", expiresAt.ToUnixTimeMilliseconds());
            w.WritePropertyName("response");
            JsonSerializer.Serialize(w, WithStoredFeatures(response), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)));
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <paramref name="response"/> with its <see cref="PromptOpsResponseFeatures"/> as the JSON of their stored part (read back
    /// by <see cref="PromptOpsResponseFeatures.Get(AdditionalPropertiesDictionary?)"/>); the response itself is not changed.
    /// </summary>
    private static ChatResponse WithStoredFeatures(ChatResponse response)
    {
        if (PromptOpsResponseFeatures.Get(response.AdditionalProperties) is not { } features) return response;
        var properties = response.AdditionalProperties!.Clone();
        properties[PromptOpsResponseFeatures.AdditionalPropertiesKey] = features.ToStoredJson();
        return new ChatResponse(response.Messages)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            AdditionalProperties = properties,
        };
    }

    public static bool TryDeserialize(ReadOnlySpan<byte> bytes, string key, DateTimeOffset now, out ChatResponse? response, out DateTimeOffset expiresAt)
    {
        response = null;
        expiresAt = default;
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || v.GetInt32() != Version
                || !root.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String || !k.ValueEquals(key)
                || !root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number
                || !root.TryGetProperty("response", out var r) || r.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(exp.GetInt64());
            if (expiresAt <= now) return false;
            response = (ChatResponse?)r.Deserialize(AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatResponse)));
            if (response is null || !IsWellFormed(response))
            {
                response = null;
                return false;
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    // Well-formed JSON can still hold nulls where the object model has none ("messages":[null]), or token counts no
    // provider reports (negative); such an entry is corrupt and must read as a miss (and be overwritten by the fresh
    // answer), not crash the copy or poison the usage meter on every hit.
    internal static bool IsWellFormed(ChatResponse response)
    {
        if (response.Messages is null || !HasValidUsage(response.Usage)) return false;
        foreach (var m in response.Messages)
        {
            if (m is null || m.Contents is null) return false;
            foreach (var c in m.Contents)
            {
                if (c is null || (c is UsageContent u && !HasValidUsage(u.Details))) return false;
            }
        }

        return true;
    }

    /// <summary>False when a token count is negative (a provider or store fault): such usage is never cached.</summary>
    internal static bool HasValidUsage(UsageDetails? usage)
    {
        if (usage is null) return true;
        if (usage.InputTokenCount < 0 || usage.OutputTokenCount < 0 || usage.TotalTokenCount < 0
            || usage.CachedInputTokenCount < 0 || usage.ReasoningTokenCount < 0)
        {
            return false;
        }

        if (usage.AdditionalCounts is { } counts)
        {
            foreach (var (_, value) in counts)
            {
                if (value < 0) return false;
            }
        }

        return true;
    }
}
