using Microsoft.Extensions.AI;

namespace PromptOps.Caching;

/// <summary>
/// Copies responses so that a cached entry is never shared with a caller: every hit gets its own response,
/// messages, content lists and text/function/usage contents. Contents of other types (images, hosted files)
/// are shared and must be treated as read-only. Raw provider representations are not kept.
/// </summary>
internal static class ResponseCopier
{
    public static ChatResponse Copy(ChatResponse source, CacheLayer? marker)
    {
        var messages = new List<ChatMessage>(source.Messages.Count);
        foreach (var m in source.Messages) messages.Add(CopyMessage(m));

        var copy = new ChatResponse(messages)
        {
            ResponseId = source.ResponseId,
            ModelId = source.ModelId,
            CreatedAt = source.CreatedAt,
            FinishReason = source.FinishReason,
            Usage = CopyUsage(source.Usage),
            AdditionalProperties = source.AdditionalProperties?.Clone(),
        };

        // The copy gets its own features: the TTL decision belongs to the call that stored the answer, never to a copy (a
        // hit, a joined call), and the layer is the copy's.
        var features = PromptOpsResponseFeatures.Get(copy.AdditionalProperties)?.Clone();
        if (features is not null)
        {
            features.CacheTtl = null;
            features.CacheTtlReason = null;
            features.CacheLayer = CacheLayer.None;
            copy.AdditionalProperties![PromptOpsResponseFeatures.AdditionalPropertiesKey] = features;
        }

        if (marker is { } layer) PromptOpsResponseFeatures.Of(copy).CacheLayer = layer;

        return copy;
    }

    private static ChatMessage CopyMessage(ChatMessage m)
    {
        var contents = new List<AIContent>(m.Contents.Count);
        foreach (var c in m.Contents) contents.Add(CopyContent(c));
        return new ChatMessage(m.Role, contents)
        {
            AuthorName = m.AuthorName,
            MessageId = m.MessageId,
            CreatedAt = m.CreatedAt,
            AdditionalProperties = m.AdditionalProperties?.Clone(),
        };
    }

    private static AIContent CopyContent(AIContent c) => c switch
    {
        TextContent t => new TextContent(t.Text) { AdditionalProperties = t.AdditionalProperties?.Clone() },
        TextReasoningContent r => new TextReasoningContent(r.Text) { ProtectedData = r.ProtectedData, AdditionalProperties = r.AdditionalProperties?.Clone() },
        FunctionCallContent f => new FunctionCallContent(f.CallId, f.Name, f.Arguments is null ? null : new Dictionary<string, object?>(f.Arguments))
        {
            AdditionalProperties = f.AdditionalProperties?.Clone(),
        },
        UsageContent u => new UsageContent(CopyUsage(u.Details) ?? new UsageDetails()) { AdditionalProperties = u.AdditionalProperties?.Clone() },
        _ => c,
    };

    /// <summary>
    /// Adds the usage an update of a streamed response reports to <paramref name="total"/> (created, as a copy, by the
    /// first usage seen): what the meter, the budget and the plans settle a stream with.
    /// </summary>
    internal static void AddUsage(ref UsageDetails? total, ChatResponseUpdate update)
    {
        foreach (var content in update.Contents)
        {
            if (content is not UsageContent u) continue;
            if (total is null) total = CopyUsage(u.Details);
            else total.Add(u.Details);
        }
    }

    internal static UsageDetails? CopyUsage(UsageDetails? u)
    {
        if (u is null) return null;

        // Add() sums every count (including the experimental audio/text split) into the empty copy.
        var copy = new UsageDetails();
        copy.Add(u);
        return copy;
    }
}
