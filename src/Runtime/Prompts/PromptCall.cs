using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Pricing;
using PromptOps.Tokens;

namespace PromptOps.CodeGen;

/// <summary>
/// Helpers called by code the PromptOps generator writes. Public so generated code can reach them; not meant to
/// be called by hand, but safe to.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PromptCall
{
    private static readonly JsonSerializerOptions CompactJson = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    private static readonly JsonSerializerOptions ReadJson = new(JsonSerializerDefaults.Web)
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static readonly PriceCatalog DefaultPrices = new();

    /// <summary>
    /// Formats a template argument: strings as they are, <see cref="IFormattable"/> values with the invariant
    /// culture, enums by name, <c>null</c> as an empty string, anything else as compact JSON.
    /// </summary>
    public static string Format<T>(T value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value, value.GetType(), CompactJson),
    };

    private const string O200kEncoding = "o200k_base";

    /// <summary>Formats an argument and truncates it to at most <paramref name="maxTokens"/> o200k tokens.</summary>
    public static string Truncate(string text, int maxTokens) => Truncate(text, maxTokens, TiktokenTokenCounter.IsCreated(O200kEncoding));

    /// <summary>
    /// <see cref="Truncate(string, int)"/>; while the tokenizer is still loading (<paramref name="loaded"/> false: a process's
    /// first calls), a text whose UTF-8 byte count — an upper bound of its tokens — is within the limit is returned as it
    /// is without waiting for it; only a longer one is counted exactly.
    /// </summary>
    internal static string Truncate(string text, int maxTokens, bool loaded)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTokens);
        if (!loaded && WithinBound(text.Length == 0 ? 0 : Utf8ByteCounter.Instance.CountTokens(text), maxTokens)) return text;
        return TiktokenTokenCounter.O200k.Truncate(text, maxTokens);
    }

    /// <summary>Throws <see cref="PromptInputTooLongException"/> when the messages have more than <paramref name="maxTokens"/> o200k tokens.</summary>
    public static void CheckInputTokens(string promptId, int maxTokens, string? system, string? user) =>
        CheckInputTokens(promptId, maxTokens, system, user, TiktokenTokenCounter.IsCreated(O200kEncoding));

    /// <summary>
    /// <see cref="CheckInputTokens(string, int, string?, string?)"/>; while the tokenizer is still loading (<paramref name="loaded"/>
    /// false), messages whose UTF-8 byte count is within the limit pass without waiting for it; nothing is refused
    /// on the bound: longer ones are counted exactly.
    /// </summary>
    internal static void CheckInputTokens(string promptId, int maxTokens, string? system, string? user, bool loaded)
    {
        if (!loaded && WithinBound(Utf8ByteCounter.Instance.CountTokens(system ?? string.Empty) + (long)Utf8ByteCounter.Instance.CountTokens(user ?? string.Empty), maxTokens)) return;
        var counter = TiktokenTokenCounter.O200k;
        var tokens = (system is null ? 0 : counter.CountTokens(system)) + (user is null ? 0 : counter.CountTokens(user));
        if (tokens > maxTokens) throw new PromptInputTooLongException(promptId, tokens, maxTokens);
    }

    // Within the limit on the byte bound; either way the tokenizer starts loading, so that later calls count exactly.
    private static bool WithinBound(long bytes, int maxTokens)
    {
        TokenizerWarmup.Shared.Start(O200kEncoding);
        return bytes <= maxTokens;
    }

    /// <summary>The reply text of a response (all assistant text, trimmed).</summary>
    public static string Text(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Text.Trim();
    }

    /// <summary>Reads a yes/no reply: yes, y, true, はい, 是 → true; no, n, false, いいえ, 否 → false; a trailing sentence is ignored.</summary>
    public static bool ParseBool(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var head = FirstWord(reply);
        switch (head)
        {
            case "yes" or "y" or "true" or "correct" or "はい" or "是" or "ええ" or "うん":
                return true;
            case "no" or "n" or "false" or "incorrect" or "いいえ" or "否" or "いや" or "ううん":
                return false;
        }

        if (reply.TrimStart().StartsWith("はい", StringComparison.Ordinal)) return true;
        if (reply.TrimStart().StartsWith("いいえ", StringComparison.Ordinal)) return false;
        throw new PromptReplyException($"The reply is not yes or no: '{Clip(reply)}'.", reply, typeof(bool));
    }

    /// <summary>Reads a number (invariant culture; thousands separators, a trailing sentence and surrounding quotes are ignored).</summary>
    public static T ParseNumber<T>(string reply)
        where T : INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(reply);
        var s = reply.Trim().Trim('"', '\'', '`', '*').Trim();
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] is '-' or '+' or '.' or ',' or 'e' or 'E')) end++;
        var number = s[..end].TrimEnd('.', ',').Replace(",", string.Empty, StringComparison.Ordinal);
        if (number.Length > 0 && T.TryParse(number, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        throw new PromptReplyException($"The reply is not a {typeof(T).Name}: '{Clip(reply)}'.", reply, typeof(T));
    }

    /// <summary>
    /// Reads an enum reply leniently: case, quotes, markdown emphasis, punctuation and a trailing sentence are
    /// ignored; the label may be the member name or its <c>[Description]</c>. No match throws
    /// <see cref="PromptReplyException"/> with the raw reply — never a silent default.
    /// </summary>
    public static TEnum ParseEnum<TEnum>(string reply, string[] labels, TEnum[] values)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(reply);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(values);
        var normalized = NormalizeLabel(reply);

        // 1. The whole reply is a label. 2. The reply starts with a label (longest first, so "NotSpam" beats "Not").
        var best = -1;
        var bestLength = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var label = NormalizeLabel(labels[i]);
            if (label.Length == 0) continue;
            if (normalized == label) return values[i];
            if (normalized.StartsWith(label, StringComparison.Ordinal) && label.Length > bestLength
                && (normalized.Length == label.Length || !char.IsLetterOrDigit(normalized[label.Length])))
            {
                best = i;
                bestLength = label.Length;
            }
        }

        if (best >= 0) return values[best];
        throw new PromptReplyException(
            $"The reply matches none of the labels ({string.Join(", ", labels)}): '{Clip(reply)}'.", reply, typeof(TEnum));
    }

    /// <summary>Reads a JSON reply as <typeparamref name="T"/> (a fenced ```json block is accepted).</summary>
    public static T ParseJson<T>(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var json = StripFence(reply);
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, ReadJson);
            if (value is null) throw new PromptReplyException($"The reply is JSON null, not a {typeof(T).Name}.", reply, typeof(T));
            return value;
        }
        catch (JsonException e)
        {
            throw new PromptReplyException($"The reply is not valid JSON for {typeof(T).Name}: {e.Message}", reply, typeof(T), e);
        }
    }

    /// <summary>
    /// Reads a yes/no response (<see cref="ParseBool(string)"/>); a cut-off response (<c>FinishReason</c> <c>Length</c>)
    /// that cannot be read throws <see cref="PromptTruncatedException"/> with the partial text instead of
    /// <see cref="PromptReplyException"/>. The same holds for the other <c>Parse…(ChatResponse)</c> overloads.
    /// </summary>
    public static bool ParseBool(ChatResponse response) => Read(response, static r => ParseBool(r));

    /// <summary>Reads a number response (<see cref="ParseNumber{T}(string)"/>); see <see cref="ParseBool(ChatResponse)"/> for a cut-off one.</summary>
    public static T ParseNumber<T>(ChatResponse response)
        where T : INumberBase<T> => Read(response, static r => ParseNumber<T>(r));

    /// <summary>
    /// Reads a number response that must be in [<paramref name="min"/>, <paramref name="max"/>] (<c>[return: Range(min, max)]</c>):
    /// a number outside throws <see cref="PromptReplyException"/>; see <see cref="ParseBool(ChatResponse)"/> for a cut-off one.
    /// </summary>
    public static T ParseNumber<T>(ChatResponse response, double min, double max)
        where T : INumberBase<T> => Read(response, r => InRange(ParseNumber<T>(r), r, min, max));

    /// <summary>Checks a number response as <see cref="ParseNumber{T}(ChatResponse, double, double)"/> reads it; see <see cref="CheckBool"/>.</summary>
    public static string? CheckNumber<T>(ChatResponse response, double min, double max)
        where T : INumberBase<T> => Check(response, r => InRange(ParseNumber<T>(r), r, min, max));

    /// <summary>Reads an enum response (<see cref="ParseEnum{TEnum}(string, string[], TEnum[])"/>); see <see cref="ParseBool(ChatResponse)"/> for a cut-off one.</summary>
    public static TEnum ParseEnum<TEnum>(ChatResponse response, string[] labels, TEnum[] values)
        where TEnum : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            return ParseEnum(Text(response), labels, values);
        }
        catch (PromptReplyException e) when (response.FinishReason == ChatFinishReason.Length)
        {
            throw new PromptTruncatedException(response.Text, null, null, response, e);
        }
    }

    /// <summary>Reads a JSON response (<see cref="ParseJson{T}(string)"/>); see <see cref="ParseBool(ChatResponse)"/> for a cut-off one.</summary>
    public static T ParseJson<T>(ChatResponse response) => Read(response, static r => ParseJson<T>(r));

    /// <summary>
    /// Checks a yes/no response as <see cref="ParseBool(ChatResponse)"/> reads it, for <see cref="PromptOpsMetadata.ReplyValidator"/>:
    /// null when it reads, else why not. A cut-off response passes (a larger model does not make it longer; the truncation
    /// policy deals with it). The same holds for the other <c>Check…</c> methods.
    /// </summary>
    public static string? CheckBool(ChatResponse response) => Check(response, static r => ParseBool(r));

    /// <summary>Checks a number response as <see cref="ParseNumber{T}(ChatResponse)"/> reads it; see <see cref="CheckBool"/>.</summary>
    public static string? CheckNumber<T>(ChatResponse response)
        where T : INumberBase<T> => Check(response, static r => ParseNumber<T>(r));

    /// <summary>Checks an enum response as <see cref="ParseEnum{TEnum}(ChatResponse, string[], TEnum[])"/> reads it; see <see cref="CheckBool"/>.</summary>
    public static string? CheckEnum<TEnum>(ChatResponse response, string[] labels, TEnum[] values)
        where TEnum : struct, Enum => Check(response, r => ParseEnum(r, labels, values));

    /// <summary>Checks a JSON response as <see cref="ParseJson{T}(ChatResponse)"/> reads it; see <see cref="CheckBool"/>.</summary>
    public static string? CheckJson<T>(ChatResponse response) => Check(response, static r => ParseJson<T>(r));

    /// <summary>True when the response was cut off at the output-token limit (<c>FinishReason</c> <c>Length</c>).</summary>
    public static bool IsTruncated(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.FinishReason == ChatFinishReason.Length;
    }

    /// <summary>The response format asking for JSON that matches the schema of <typeparamref name="T"/>.</summary>
    public static ChatResponseFormat JsonFormat<T>() => ChatResponseFormat.ForJsonSchema<T>(ReadJson);

    /// <summary>Builds a <see cref="PromptResult{T}"/> from a value and its response.</summary>
    public static PromptResult<T> Result<T>(T value, ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var layer = response.GetCacheLayer();
        decimal? cost = response.GetPromptOpsFeatures()?.CostUsd is { } d
            ? d
            : layer != CacheLayer.None ? 0m : DefaultPrices.Cost(response.ModelId, response.Usage).Usd;
        return new PromptResult<T>
        {
            Value = value,
            RawText = response.Text,
            ModelId = response.ModelId,
            Usage = response.Usage,
            CostUsd = cost,
            CacheLayer = layer,
            Truncated = IsTruncated(response),
            Response = response,
        };
    }

    /// <summary>
    /// Joins the values of several <c>[CacheScope]</c> parameters into one scope, without collisions: the parts are
    /// separated by U+001F, and inside a part U+001B is written as U+001B '0' and U+001F as U+001B '1' (an
    /// unambiguous escape), so tenant <c>"a\u001Fb"</c> + user <c>"c"</c> never equals tenant <c>"a"</c> + user
    /// <c>"b\u001Fc"</c>. Parts without either character are joined as they are.
    /// </summary>
    public static string Scope(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i > 0) sb.Append(ScopeSeparator);
            foreach (var ch in parts[i] ?? string.Empty)
            {
                if (ch == ScopeEscape) sb.Append(ScopeEscape).Append('0');
                else if (ch == ScopeSeparator) sb.Append(ScopeEscape).Append('1');
                else sb.Append(ch);
            }
        }

        return sb.ToString();
    }

    private static T Read<T>(ChatResponse response, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            return parse(Text(response));
        }
        catch (PromptReplyException e) when (response.FinishReason == ChatFinishReason.Length)
        {
            throw new PromptTruncatedException(response.Text, null, null, response, e);
        }
    }

    private static T InRange<T>(T value, string reply, double min, double max)
        where T : INumberBase<T>
    {
        var d = double.CreateSaturating(value);
        if (d >= min && d <= max) return value;
        throw new PromptReplyException(
            string.Create(CultureInfo.InvariantCulture, $"The reply {d} is outside the range {min} to {max}: '{Clip(reply)}'."), reply, typeof(T));
    }

    private static string? Check<T>(ChatResponse response, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.FinishReason == ChatFinishReason.Length) return null;
        try
        {
            parse(Text(response));
            return null;
        }
        catch (PromptReplyException e)
        {
            return e.Message;
        }
    }

    private const char ScopeSeparator = '\u001f';
    private const char ScopeEscape = '\u001b';

    private static string FirstWord(string reply)
    {
        var s = reply.Trim().TrimStart('"', '\'', '`', '*', '「', '『').ToLowerInvariant();
        var end = 0;
        while (end < s.Length && char.IsLetterOrDigit(s[end])) end++;
        return s[..end];
    }

    private static string NormalizeLabel(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.Trim())
        {
            if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
            else if (ch is ' ' or '\t' or '\n' or '\r' or '-' or '_')
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
            }
            else if (ch is '.' or '!' or '?' or ',' or ';' or ':' or '。' or '、' or '(' or ')')
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
            }
        }

        return sb.ToString().Trim();
    }

    private static string StripFence(string reply)
    {
        var s = reply.Trim();
        if (!s.StartsWith("```", StringComparison.Ordinal)) return s;
        var firstLine = s.IndexOf('\n', StringComparison.Ordinal);
        var close = s.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine >= 0 && close > firstLine ? s[(firstLine + 1)..close].Trim() : s;
    }

    private static string Clip(string s) => s.Length <= 200 ? s : string.Concat(s.AsSpan(0, 200), "…");
}
