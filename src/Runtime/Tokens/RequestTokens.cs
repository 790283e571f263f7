using System.Text.Json;
using Microsoft.Extensions.AI;

namespace PromptOps.Tokens;

/// <summary>
/// Counts the input tokens of a request before it is sent, for budget reservations and plan input limits, with the
/// model's tokenizer (<see cref="TokenCounters.ForModel"/>): the text of every message (text, reasoning, function
/// calls with their JSON arguments, function results), the instructions, the tools' names, descriptions and JSON
/// schemas, plus the chat format's overhead (<see cref="PerMessageTokens"/> per message and
/// <see cref="ReplyPrimingTokens"/>). An image counts as <see cref="ImageTokens"/> (a high-detail 1024×1024 image on
/// OpenAI). Other binary content (audio, files) is not counted.
/// </summary>
internal static class RequestTokens
{
    /// <summary>Tokens the chat format adds around each message (OpenAI: 3–4).</summary>
    public const int PerMessageTokens = 4;

    /// <summary>Tokens that prime the reply (OpenAI: 3).</summary>
    public const int ReplyPrimingTokens = 3;

    /// <summary>What one image counts as.</summary>
    public const int ImageTokens = 1105;

    /// <summary>The input tokens of <paramref name="messages"/> and <paramref name="options"/> for <paramref name="modelId"/>.</summary>
    public static int Count(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Caching.PromptCacheKey.ThrowIfMalformed(messages); // "messages[2] is null", not a NullReferenceException
        var counter = TokenCounters.ForModel(modelId);
        long total = ReplyPrimingTokens;
        if (!string.IsNullOrEmpty(options?.Instructions)) total += PerMessageTokens + counter.CountTokens(options.Instructions);
        if (options?.Tools is { Count: > 0 } tools)
        {
            foreach (var tool in tools)
            {
                total += counter.CountTokens(tool.Name) + (string.IsNullOrEmpty(tool.Description) ? 0 : counter.CountTokens(tool.Description));
                if (tool is AIFunctionDeclaration f) total += counter.CountTokens(f.JsonSchema.GetRawText());
            }
        }

        foreach (var message in messages)
        {
            total += PerMessageTokens;
            if (message.AuthorName is { Length: > 0 } name) total += counter.CountTokens(name);
            foreach (var content in message.Contents)
            {
                total += content switch
                {
                    TextContent t => counter.CountTokens(t.Text ?? string.Empty),
                    TextReasoningContent r => counter.CountTokens(r.Text ?? string.Empty),
                    FunctionCallContent c => counter.CountTokens(c.Name) + (c.Arguments is null ? 0 : counter.CountTokens(JsonSerializer.Serialize(c.Arguments, AIJsonUtilities.DefaultOptions))),
                    FunctionResultContent r => r.Result is null ? 0 : counter.CountTokens(r.Result as string ?? JsonSerializer.Serialize(r.Result, AIJsonUtilities.DefaultOptions)),
                    DataContent d when d.HasTopLevelMediaType("image") => ImageTokens,
                    UriContent u when u.HasTopLevelMediaType("image") => ImageTokens,
                    _ => 0,
                };
            }
        }

        return (int)Math.Min(total, int.MaxValue);
    }
}
