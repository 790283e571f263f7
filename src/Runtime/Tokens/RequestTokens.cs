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
    public static int Count(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId) =>
        CountWith(messages, options, TokenCounters.ForModel(modelId));

    /// <summary>
    /// The input tokens of the request, or, while the exact tokenizer of <paramref name="modelId"/> is still loading (the
    /// first ~0.3–0.7 s of a process), an upper bound that needs none: the UTF-8 byte count of the same texts (a token of
    /// o200k and cl100k is at least one byte), with the same per-message, priming and image amounts. Starts the load when
    /// nothing has, so that later calls count exactly. <paramref name="exact"/> says which it is. For reservations, which
    /// may hold more than a call costs but never less, and for limits only to admit: a bound above a limit must be counted
    /// exactly before anything is refused.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="modelId">The model whose tokenizer counts.</param>
    /// <param name="isLoaded">Whether an encoding's tokenizer is loaded (<see cref="TiktokenTokenCounter.IsCreated"/>; tests pass their own).</param>
    /// <param name="exact">True when the count is exact, false when it is the bound.</param>
    public static int CountOrBound(IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId, Func<string, bool> isLoaded, out bool exact)
    {
        // The model id is resolved once (GetEncodingName lower-cases it): this runs on every budgeted request.
        var encoding = TokenCounters.GetEncodingName(modelId);
        exact = encoding is null || isLoaded(encoding);
        if (exact) return CountWith(messages, options, TokenCounters.ForEncoding(encoding));
        TokenizerWarmup.Shared.Start(encoding!);
        return CountWith(messages, options, Utf8ByteCounter.Instance);
    }

    /// <summary>
    /// <paramref name="count"/> of the request, made when first asked for: the exact count of a call reserved or admitted
    /// on the bound. A method of its own so that the callers' hot paths do not allocate the lambda's closure on every call.
    /// </summary>
    public static Lazy<int> Later(Func<IEnumerable<ChatMessage>, ChatOptions?, string?, int> count, IEnumerable<ChatMessage> messages, ChatOptions? options, string? modelId) =>
        new(() => count(messages, options, modelId));

    private static int CountWith(IEnumerable<ChatMessage> messages, ChatOptions? options, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Caching.PromptCacheKey.ThrowIfMalformed(messages); // "messages[2] is null", not a NullReferenceException
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
