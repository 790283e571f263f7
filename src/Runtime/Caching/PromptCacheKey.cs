using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.AI;
using PromptOps.Knowledge;

namespace PromptOps.Caching;

/// <summary>
/// Computes the exact-match cache key of a request: SHA-256 over a canonical, length-prefixed encoding of
/// everything that changes the answer.
/// <para><b>In the key:</b> every message (role, author name, each content: text, reasoning text, data bytes and
/// media type, URIs, function calls with their arguments, function results, content and message additional
/// properties), and every <see cref="ChatOptions"/> field that reaches the model: model id, instructions,
/// temperature, max output tokens, top-p, top-k, frequency and presence penalties, seed, reasoning options,
/// response format (with its JSON schema), stop sequences, tool mode, allow-multiple-tool-calls, each tool
/// (name, description, parameter and return schemas, additional properties) and the options' additional
/// properties; from <see cref="PromptOpsMetadata"/>: the prompt version, the cache scope and the tier.</para>
/// <para><b>Deny-list (never in the key):</b> message ids and timestamps (they differ on every call and do not
/// change the answer); the PromptOps metadata's prompt id, task, TTL and user id (the user only matters through
/// an explicit cache scope).</para>
/// <para><b>Not cacheable at all</b> (the key is null and the cache is bypassed): a <c>ConversationId</c> or
/// <c>ContinuationToken</c> (server-side state the key cannot see), background responses, a
/// <c>RawRepresentationFactory</c> (it may change the request in ways the key cannot see), hosted tools other
/// than functions (web search, file search, MCP: their answers depend on live data), and content or property
/// values that cannot be serialized.</para>
/// <para>SHA-256 rather than a faster non-cryptographic hash: a key collision returns one user's answer to another
/// request, and prompts are attacker-controlled input, so collisions must be infeasible to construct.</para>
/// </summary>
internal static class PromptCacheKey
{
    /// <summary>The prefix of every key; bump the version when the encoding changes.</summary>
    public const string Prefix = "promptops:v2:";

    /// <summary>
    /// The <see cref="ChatOptions"/> properties written into the key (by <c>WriteOptions</c>). A test enumerates
    /// <see cref="ChatOptions"/> by reflection and fails on a property that is in neither this list nor
    /// <see cref="UncacheableOptionProperties"/>, so a property added by a later Microsoft.Extensions.AI cannot silently be
    /// left out of the key; another test sets each of them and fails when the key does not change.
    /// </summary>
    internal static readonly string[] KeyedOptionProperties =
    [
        nameof(ChatOptions.ModelId), nameof(ChatOptions.Instructions), nameof(ChatOptions.Temperature), nameof(ChatOptions.MaxOutputTokens),
        nameof(ChatOptions.TopP), nameof(ChatOptions.TopK), nameof(ChatOptions.FrequencyPenalty), nameof(ChatOptions.PresencePenalty),
        nameof(ChatOptions.Seed), nameof(ChatOptions.Reasoning), nameof(ChatOptions.ResponseFormat), nameof(ChatOptions.StopSequences),
        nameof(ChatOptions.AllowMultipleToolCalls), nameof(ChatOptions.ToolMode), nameof(ChatOptions.Tools), nameof(ChatOptions.AdditionalProperties),
    ];

    /// <summary>
    /// The <see cref="ChatOptions"/> properties left out of the key, each with the reason: a request that sets one is not
    /// cacheable at all (<see cref="IsCacheable"/>), because the key cannot see what it changes.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> UncacheableOptionProperties = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(ChatOptions.ConversationId)] = "the provider holds the conversation: the answer depends on server-side state the key cannot see",
        ["ContinuationToken"] = "resumes a response the provider holds (background responses): server-side state the key cannot see",
        ["AllowBackgroundResponses"] = "the answer may be a continuation token to poll, not an answer to store",
        [nameof(ChatOptions.RawRepresentationFactory)] = "a delegate that may change the provider's request in ways the key cannot see",
    };

    [ThreadStatic]
    private static KeyWriter? t_writer;

    /// <summary>Computes the key, or returns null when the request is not cacheable.</summary>
    public static string? Compute(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (!IsCacheable(options)) return null;

        var w = t_writer ??= new KeyWriter();
        try
        {
            if (!w.WriteRequest(messages, options)) return null;
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(w.WrittenSpan, hash);
            Span<char> chars = stackalloc char[Prefix.Length + (SHA256.HashSizeInBytes * 2)];
            Prefix.AsSpan().CopyTo(chars);
            Hex.WriteLower(hash, chars[Prefix.Length..]);
            return new string(chars);
        }
        finally
        {
            w.Reset();
        }
    }

    /// <summary>The prefix of every semantic partition key (<see cref="ComputePartition"/>).</summary>
    public const string PartitionPrefix = Prefix + "part:";

    /// <summary>
    /// The semantic cache's partition of a request: the same canonical encoding as <see cref="Compute"/> — so the
    /// same model/tier, system prompt, earlier messages, tools, response format, other options, prompt version and
    /// cache scope — except for the text of the last message, which must be a user message made only of text.
    /// Requests in one partition differ only in that text, which is what the semantic layer embeds and compares.
    /// Returns null when the request is not cacheable or its last message is not plain user text (the semantic
    /// layer is then bypassed). A partition key never equals an exact key (its own prefix and encoding tag).
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options.</param>
    /// <param name="userText">The text of the last (user) message: what the semantic layer embeds.</param>
    public static string? ComputePartition(IEnumerable<ChatMessage> messages, ChatOptions? options, out string userText)
    {
        ArgumentNullException.ThrowIfNull(messages);
        userText = string.Empty;
        if (!IsCacheable(options)) return null;
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        ThrowIfMalformed(list);
        if (list.Count == 0) return null;
        var last = list[^1];
        if (last.Role != ChatRole.User || last.Contents.Count == 0) return null;
        foreach (var c in last.Contents)
        {
            if (c is not TextContent) return null;
        }

        var text = last.Text;
        if (string.IsNullOrWhiteSpace(text)) return null;

        var w = t_writer ??= new KeyWriter();
        try
        {
            if (!w.WriteRequest(list, options, maskLastText: true)) return null;
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(w.WrittenSpan, hash);
            Span<char> chars = stackalloc char[PartitionPrefix.Length + (SHA256.HashSizeInBytes * 2)];
            PartitionPrefix.AsSpan().CopyTo(chars);
            Hex.WriteLower(hash, chars[PartitionPrefix.Length..]);
            userText = text;
            return new string(chars);
        }
        finally
        {
            w.Reset();
        }
    }

    /// <summary>True unless the options carry server-side state or settings the key cannot see.</summary>
    public static bool IsCacheable(ChatOptions? options)
    {
        if (options is null) return true;
        // ContinuationToken / AllowBackgroundResponses are marked experimental (MEAI001) in the lowest
        // Microsoft.Extensions.AI this package supports (10.5.0); they are read, never set.
#pragma warning disable MEAI001
        if (options.ConversationId is not null || options.ContinuationToken is not null) return false;
        if (options.AllowBackgroundResponses == true) return false;
#pragma warning restore MEAI001
        if (options.RawRepresentationFactory is not null) return false;
        if (options.GetPromptOps()?.CacheTtl is { IsNone: true }) return false;
        return true;
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the first null message, null content list or null content
    /// (<c>messages[2] is null</c>) instead of letting a <see cref="NullReferenceException"/> escape later.
    /// </summary>
    internal static void ThrowIfMalformed(IEnumerable<ChatMessage> messages)
    {
        var index = 0;
        foreach (var m in messages) ThrowIfMalformed(m, index++, nameof(messages));
    }

    private static void ThrowIfMalformed(ChatMessage? m, int index, string paramName = "messages")
    {
        if (m is null) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}] is null."), paramName);
        if (m.Contents is not { } contents) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].Contents is null."), paramName);
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is null) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"messages[{index}].Contents[{i}] is null."), paramName);
        }
    }

    private sealed class KeyWriter
    {
        private const int MaxRetainedBytes = 1 << 20;
        private ArrayBufferWriter<byte> _buffer = new(4096);
        private Utf8JsonWriter? _json;

        public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

        public void Reset()
        {
            if (_buffer.Capacity > MaxRetainedBytes)
            {
                _buffer = new ArrayBufferWriter<byte>(4096);
                _json = null;
            }
            else
            {
                _buffer.ResetWrittenCount();
            }
        }

        public bool WriteRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, bool maskLastText = false)
        {
            // 'V' for an exact key, 'W' for a semantic partition: the two encodings can never collide.
            Tag(maskLastText ? 'W' : 'V');
            Int(1);
            if (maskLastText)
            {
                var list = (IReadOnlyList<ChatMessage>)messages;
                for (var i = 0; i < list.Count; i++)
                {
                    if (!WriteMessage(list[i], i, maskText: i == list.Count - 1)) return false;
                }
            }
            else
            {
                var index = 0;
                foreach (var m in messages)
                {
                    if (!WriteMessage(m, index++)) return false;
                }
            }

            Tag('E');
            return options is null || WriteOptions(options);
        }

        private bool WriteMessage(ChatMessage m, int index, bool maskText = false)
        {
            ThrowIfMalformed(m, index);
            Tag('M');
            Str(m.Role.Value);
            Str(m.AuthorName);
            Int(m.Contents.Count);
            foreach (var c in m.Contents)
            {
                if (maskText && c is TextContent masked)
                {
                    // The semantic partition: the text is what gets embedded; its other properties still partition.
                    Tag('~');
                    if (!WriteProperties('q', masked.AdditionalProperties, skipKey: null)) return false;
                    continue;
                }

                if (!WriteContent(c)) return false;
            }

            return WriteProperties('p', m.AdditionalProperties, skipKey: null);
        }

        private bool WriteContent(AIContent c)
        {
            switch (c)
            {
                case TextContent t:
                    Tag('t');
                    Str(t.Text);
                    break;
                case TextReasoningContent r:
                    Tag('r');
                    Str(r.Text);
                    Str(r.ProtectedData);
                    break;
                case DataContent d:
                    Tag('d');
                    Str(d.MediaType);
                    Str(d.Name);
                    Bytes(d.Data.Span);
                    break;
                case UriContent u:
                    Tag('u');
                    Str(u.Uri.OriginalString);
                    Str(u.MediaType);
                    break;
                case FunctionCallContent f:
                    Tag('f');
                    Str(f.CallId);
                    Str(f.Name);
                    if (!Json(f.Arguments)) return false;
                    break;
                case FunctionResultContent fr:
                    Tag('g');
                    Str(fr.CallId);
                    if (!Json(fr.Result)) return false;
                    break;
                default:
                    // Any other content: its polymorphic JSON form (type discriminator included).
                    Tag('x');
                    Str(c.GetType().FullName);
                    if (!Json(c, typeof(AIContent))) return false;
                    break;
            }

            return WriteProperties('q', c.AdditionalProperties, skipKey: null);
        }

        private bool WriteOptions(ChatOptions o)
        {
            Tag('O');
            Str(o.ModelId);
            Str(o.Instructions);
            Dbl(o.Temperature);
            NInt(o.MaxOutputTokens);
            Dbl(o.TopP);
            NInt(o.TopK);
            Dbl(o.FrequencyPenalty);
            Dbl(o.PresencePenalty);
            if (o.Seed is { } seed)
            {
                Tag('s');
                Span<byte> b = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(b, seed);
                Raw(b);
            }
            else
            {
                Tag('-');
            }

            if (o.Reasoning is { } reasoning)
            {
                Tag('R');
                Str(reasoning.Effort?.ToString());
                Str(reasoning.Output?.ToString());
            }
            else
            {
                Tag('-');
            }

            switch (o.ResponseFormat)
            {
                case null:
                    Tag('-');
                    break;
                case ChatResponseFormatJson j:
                    Tag('J');
                    Str(j.SchemaName);
                    Str(j.SchemaDescription);
                    Str(j.Schema?.GetRawText());
                    break;
                case ChatResponseFormatText:
                    Tag('T');
                    break;
                default:
                    Tag('X');
                    if (!Json(o.ResponseFormat, typeof(ChatResponseFormat))) return false;
                    break;
            }

            if (o.StopSequences is { } stops)
            {
                Tag('S');
                Int(stops.Count);
                foreach (var s in stops) Str(s);
            }
            else
            {
                Tag('-');
            }

            Tag(o.AllowMultipleToolCalls switch { null => (byte)'-', true => (byte)'1', false => (byte)'0' });
            switch (o.ToolMode)
            {
                case null:
                    Tag('-');
                    break;
                case RequiredChatToolMode req:
                    Tag('Q');
                    Str(req.RequiredFunctionName);
                    break;
                case NoneChatToolMode:
                    Tag('N');
                    break;
                case AutoChatToolMode:
                    Tag('A');
                    break;
                default:
                    Tag('Z');
                    Str(o.ToolMode.GetType().FullName);
                    break;
            }

            if (o.Tools is { } tools)
            {
                Tag('L');
                Int(tools.Count);
                foreach (var tool in tools)
                {
                    if (tool is not AIFunctionDeclaration fn) return false; // hosted tools: live data, not cacheable
                    Str(fn.Name);
                    Str(fn.Description);
                    Str(fn.JsonSchema.GetRawText());
                    Str(fn.ReturnJsonSchema?.GetRawText());
                    if (!WriteProperties('a', fn.AdditionalProperties, skipKey: null)) return false;
                }
            }
            else
            {
                Tag('-');
            }

            if (!WriteProperties('P', o.AdditionalProperties, ChatOptionsPromptOpsExtensions.AdditionalPropertiesKey)) return false;

            var meta = o.GetPromptOps();
            Tag('K');
            Str(meta?.PromptVersion);
            Str(meta?.CacheScope);
            Str(meta?.EffectiveTier is { } tier ? ModelTiers.GetName(tier) : null);
            return true;
        }

        private bool WriteProperties(char tag, IReadOnlyDictionary<string, object?>? props, string? skipKey)
        {
            if (props is null || props.Count == 0 || (props.Count == 1 && skipKey is not null && props.ContainsKey(skipKey)))
            {
                Tag('-');
                return true;
            }

            Tag(tag);
            var keys = new List<string>(props.Count);
            foreach (var k in props.Keys)
            {
                if (!string.Equals(k, skipKey, StringComparison.Ordinal)) keys.Add(k);
            }

            keys.Sort(StringComparer.Ordinal);
            Int(keys.Count);
            foreach (var k in keys)
            {
                Str(k);
                if (!Json(props[k])) return false;
            }

            return true;
        }

        private bool Json(object? value, Type? declared = null)
        {
            if (value is null)
            {
                Tag('-');
                return true;
            }

            Tag('j');
            var lengthAt = _buffer.WrittenCount;
            Int(0); // placeholder for the JSON length
            var json = _json ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
            json.Reset(_buffer);
            try
            {
                if (value is JsonElement element)
                {
                    element.WriteTo(json);
                }
                else
                {
                    var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(declared ?? value.GetType());
                    JsonSerializer.Serialize(json, value, typeInfo);
                }

                json.Flush();
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException or ArgumentException)
            {
                return false; // cannot be canonicalised: not cacheable rather than a risky key
            }

            // The JSON writer turns an unpaired surrogate into U+FFFD, so such a value would share its key with the
            // value that really holds U+FFFD. Neither can be told apart here: a value holding U+FFFD (raw or escaped)
            // is not cacheable rather than a key two different requests could share.
            var length = _buffer.WrittenCount - lengthAt - 4;
            var written = _buffer.WrittenSpan.Slice(lengthAt + 4, length);
            if (written.IndexOf("\uFFFD"u8) >= 0 || written.IndexOf("\\uFFFD"u8) >= 0 || written.IndexOf("\\ufffd"u8) >= 0) return false;

            // Patch the length so that adjacent values cannot run into each other.
            var target = MemoryMarshalHelper.AsWritable(_buffer.WrittenMemory.Span[lengthAt..(lengthAt + 4)]);
            BinaryPrimitives.WriteInt32LittleEndian(target, length);
            return true;
        }

        private void Tag(char c) => Tag((byte)c);

        private void Tag(byte b)
        {
            _buffer.GetSpan(1)[0] = b;
            _buffer.Advance(1);
        }

        private void Int(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
            _buffer.Advance(4);
        }

        private void NInt(int? value)
        {
            if (value is { } v)
            {
                Tag('i');
                Int(v);
            }
            else
            {
                Tag('-');
            }
        }

        private void Dbl(float? value)
        {
            if (value is { } v)
            {
                Tag('f');
                BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), v);
                _buffer.Advance(4);
            }
            else
            {
                Tag('-');
            }
        }

        private void Str(string? s)
        {
            if (s is null)
            {
                Int(-1);
                return;
            }

            var max = Encoding.UTF8.GetMaxByteCount(s.Length);
            var span = _buffer.GetSpan(max + 4);
            if (Utf8.FromUtf16(s, span[4..], out _, out var n, replaceInvalidSequences: false) == OperationStatus.Done)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span, n);
                _buffer.Advance(n + 4);
                return;
            }

            // Ill-formed UTF-16 (an unpaired surrogate): UTF-8 would turn every such code unit into U+FFFD, so two
            // different strings would share a key. Write the UTF-16 code units as they are, under the length -2
            // (well-formed strings have a length >= 0, null is -1): lossless, and never equal to a UTF-8 encoding.
            Int(-2);
            Int(s.Length);
            var units = _buffer.GetSpan(s.Length * 2);
            for (var i = 0; i < s.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(units[(i * 2)..], s[i]);
            _buffer.Advance(s.Length * 2);
        }

        private void Bytes(ReadOnlySpan<byte> bytes)
        {
            Int(bytes.Length);
            Raw(bytes);
        }

        private void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.GetSpan(bytes.Length));
            _buffer.Advance(bytes.Length);
        }
    }

    private static class MemoryMarshalHelper
    {
        public static Span<byte> AsWritable(ReadOnlySpan<byte> span) =>
            System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span), span.Length);
    }
}
