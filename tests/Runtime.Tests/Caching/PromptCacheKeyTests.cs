using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.CodeGen;
using PromptOps.Knowledge;

namespace PromptOps.Tests.Caching;

public class PromptCacheKeyTests
{
    private static List<ChatMessage> Messages(string user = "Where is my refund?") =>
    [
        new(ChatRole.System, "Classify the ticket."),
        new(ChatRole.User, user),
    ];

    /// <summary>
    /// The check the drift test makes, as a pure function over a type's public instance property names: the names judged
    /// neither keyed nor excluded, the judged names the type does not have (stale), the names in both lists, and the
    /// exclusions without a reason.
    /// </summary>
    internal static (List<string> Unjudged, List<string> Stale, List<string> Both, List<string> NoReason) JudgeOptionProperties(
        IReadOnlyCollection<string> properties, IReadOnlyCollection<string> keyed, IReadOnlyDictionary<string, string> excluded)
    {
        var unjudged = properties.Where(p => !keyed.Contains(p) && !excluded.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        var stale = keyed.Concat(excluded.Keys).Where(p => !properties.Contains(p)).Order(StringComparer.Ordinal).ToList();
        var both = keyed.Where(excluded.ContainsKey).ToList();
        var noReason = excluded.Where(e => string.IsNullOrWhiteSpace(e.Value)).Select(e => e.Key).ToList();
        return (unjudged, stale, both, noReason);
    }

    private static List<string> PublicInstanceProperties(Type type) =>
        type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Select(p => p.Name).Distinct().ToList();

    [Fact]
    public void Every_ChatOptions_property_is_in_the_key_or_excluded_with_a_reason()
    {
        // A property added by a later Microsoft.Extensions.AI must be judged here, or requests that differ only in it
        // would share answers. This runs against the Microsoft.Extensions.AI.Abstractions the tests reference (11.0.0),
        // not the runtime's floor.
        var (unjudged, stale, both, noReason) = JudgeOptionProperties(PublicInstanceProperties(typeof(ChatOptions)),
            PromptCacheKey.KeyedOptionProperties, PromptCacheKey.UncacheableOptionProperties);
        Assert.True(unjudged.Count == 0, "ChatOptions properties neither in the cache key nor excluded with a reason: " + string.Join(", ", unjudged));
        Assert.True(stale.Count == 0, "Names that are not ChatOptions properties: " + string.Join(", ", stale));
        Assert.True(both.Count == 0, "Names both in the key and excluded: " + string.Join(", ", both));
        Assert.True(noReason.Count == 0, "Exclusions without a reason: " + string.Join(", ", noReason));
    }

    /// <summary>What a later Microsoft.Extensions.AI could look like: <see cref="ChatOptions"/> with one more property.</summary>
    private sealed class ChatOptionsOfALaterRelease : ChatOptions
    {
        public string? Verbosity { get; set; }
    }

    [Fact]
    public void The_drift_check_fails_on_a_property_it_has_not_judged()
    {
        var (unjudged, stale, _, _) = JudgeOptionProperties(PublicInstanceProperties(typeof(ChatOptionsOfALaterRelease)),
            PromptCacheKey.KeyedOptionProperties, PromptCacheKey.UncacheableOptionProperties);
        Assert.Equal(["Verbosity"], unjudged);
        Assert.Empty(stale);

        // …and on a judged name the type no longer has, on a name in both lists, and on an exclusion without a reason.
        var properties = PublicInstanceProperties(typeof(ChatOptions)).Where(p => p != nameof(ChatOptions.TopK)).ToList();
        var excluded = new Dictionary<string, string>(PromptCacheKey.UncacheableOptionProperties) { [nameof(ChatOptions.Seed)] = " " };
        var judged = JudgeOptionProperties(properties, PromptCacheKey.KeyedOptionProperties, excluded);
        Assert.Empty(judged.Unjudged);
        Assert.Equal([nameof(ChatOptions.TopK)], judged.Stale);
        Assert.Equal([nameof(ChatOptions.Seed)], judged.Both);
        Assert.Equal([nameof(ChatOptions.Seed)], judged.NoReason);
    }

    /// <summary>One value per keyed property that differs from a fresh <see cref="ChatOptions"/>.</summary>
    private static readonly Dictionary<string, Action<ChatOptions>> KeyedSamples = new(StringComparer.Ordinal)
    {
        [nameof(ChatOptions.ModelId)] = o => o.ModelId = "x",
        [nameof(ChatOptions.Instructions)] = o => o.Instructions = "x",
        [nameof(ChatOptions.Temperature)] = o => o.Temperature = 0.25f,
        [nameof(ChatOptions.MaxOutputTokens)] = o => o.MaxOutputTokens = 7,
        [nameof(ChatOptions.TopP)] = o => o.TopP = 0.25f,
        [nameof(ChatOptions.TopK)] = o => o.TopK = 7,
        [nameof(ChatOptions.FrequencyPenalty)] = o => o.FrequencyPenalty = 0.25f,
        [nameof(ChatOptions.PresencePenalty)] = o => o.PresencePenalty = 0.25f,
        [nameof(ChatOptions.Seed)] = o => o.Seed = 7,
        [nameof(ChatOptions.Reasoning)] = o => o.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
        [nameof(ChatOptions.ResponseFormat)] = o => o.ResponseFormat = ChatResponseFormat.Json,
        [nameof(ChatOptions.StopSequences)] = o => o.StopSequences = ["STOP"],
        [nameof(ChatOptions.AllowMultipleToolCalls)] = o => o.AllowMultipleToolCalls = false,
        [nameof(ChatOptions.ToolMode)] = o => o.ToolMode = ChatToolMode.None,
        [nameof(ChatOptions.Tools)] = o => o.Tools = [Tool("get_weather", "Gets the weather")],
        [nameof(ChatOptions.AdditionalProperties)] = o => o.AdditionalProperties = new() { ["logprobs"] = true },
    };

    [Fact]
    public void Each_keyed_option_changes_the_key()
    {
        var baseline = PromptCacheKey.Compute(Messages(), new ChatOptions());
        foreach (var name in PromptCacheKey.KeyedOptionProperties)
        {
            Assert.True(KeyedSamples.TryGetValue(name, out var set), $"ChatOptions.{name} is listed as keyed but this test has no value for it");
            var options = new ChatOptions();
            set(options);
            var key = PromptCacheKey.Compute(Messages(), options);
            Assert.NotNull(key);
            Assert.True(key != baseline, $"ChatOptions.{name} does not change the cache key");
        }
    }

    [Fact]
    public void Each_uncacheable_option_bypasses_the_cache()
    {
        foreach (var name in PromptCacheKey.UncacheableOptionProperties.Keys)
        {
            var property = typeof(ChatOptions).GetProperty(name)!;
            var options = new ChatOptions();
            if (property.PropertyType == typeof(string)) property.SetValue(options, "conversation-1");
            else if (property.PropertyType == typeof(bool?)) property.SetValue(options, true);
            else if (name == nameof(ChatOptions.RawRepresentationFactory)) options.RawRepresentationFactory = _ => null;
            else if (name == "ContinuationToken") property.SetValue(options, System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(FirstConcrete(property.PropertyType)));
            Assert.False(PromptCacheKey.IsCacheable(options), $"ChatOptions.{name} set, yet the request is cacheable");
        }
    }

    private static Type FirstConcrete(Type type) =>
        type.IsAbstract ? type.Assembly.GetTypes().Concat(typeof(PromptCacheKey).Assembly.GetTypes()).First(t => !t.IsAbstract && type.IsAssignableFrom(t)) : type;

    private static string Key(ChatOptions? options, List<ChatMessage>? messages = null) =>
        PromptCacheKey.Compute(messages ?? Messages(), options) ?? throw new InvalidOperationException("not cacheable");

    private static AIFunction Tool(string name, string description) =>
        AIFunctionFactory.Create((string city) => "sunny", name, description);

    [Fact]
    public void Key_is_deterministic_and_prefixed()
    {
        var a = Key(new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0 });
        var b = Key(new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0 });
        Assert.Equal(a, b);
        Assert.StartsWith(PromptCacheKey.Prefix, a, StringComparison.Ordinal);
        Assert.Equal(PromptCacheKey.Prefix.Length + 64, a.Length);
    }

    [Fact]
    public void Requests_differing_only_in_tools_get_different_keys()
    {
        var none = Key(new ChatOptions());
        var weather = Key(new ChatOptions { Tools = [Tool("get_weather", "Gets the weather")] });
        var weatherOtherDescription = Key(new ChatOptions { Tools = [Tool("get_weather", "Gets the forecast")] });
        var time = Key(new ChatOptions { Tools = [Tool("get_time", "Gets the weather")] });
        var both = Key(new ChatOptions { Tools = [Tool("get_weather", "Gets the weather"), Tool("get_time", "Gets the weather")] });
        Assert.Equal(5, new HashSet<string> { none, weather, weatherOtherDescription, time, both }.Count);
    }

    public static TheoryData<string, Func<ChatOptions>> AnswerChangingOptions() => new()
    {
        { "model", () => new ChatOptions { ModelId = "gpt-4o" } },
        { "temperature", () => new ChatOptions { Temperature = 0.7f } },
        { "max tokens", () => new ChatOptions { MaxOutputTokens = 10 } },
        { "top p", () => new ChatOptions { TopP = 0.9f } },
        { "top k", () => new ChatOptions { TopK = 5 } },
        { "seed", () => new ChatOptions { Seed = 42 } },
        { "frequency penalty", () => new ChatOptions { FrequencyPenalty = 0.5f } },
        { "presence penalty", () => new ChatOptions { PresencePenalty = 0.5f } },
        { "instructions", () => new ChatOptions { Instructions = "Be brief." } },
        { "stop", () => new ChatOptions { StopSequences = ["\n"] } },
        { "tool mode none", () => new ChatOptions { ToolMode = ChatToolMode.None } },
        { "tool mode required", () => new ChatOptions { ToolMode = ChatToolMode.RequireAny } },
        { "tool mode specific", () => new ChatOptions { ToolMode = ChatToolMode.RequireSpecific("get_weather") } },
        { "parallel tools", () => new ChatOptions { AllowMultipleToolCalls = false } },
        { "json", () => new ChatOptions { ResponseFormat = ChatResponseFormat.Json } },
        { "json schema", () => new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object"}""").RootElement, "r") } },
        { "text", () => new ChatOptions { ResponseFormat = ChatResponseFormat.Text } },
        { "reasoning", () => new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } } },
        { "provider option", () => new ChatOptions { AdditionalProperties = new() { ["logprobs"] = true } } },
        { "prompt version", () => new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptVersion = "v2" }) },
        { "cache scope", () => new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheScope = "tenant-1" }) },
        { "tier", () => new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.Best }) },
        { "task tier", () => new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "creative_writing" }) },
    };

    [Theory]
    [MemberData(nameof(AnswerChangingOptions))]
    public void Every_option_that_changes_the_answer_changes_the_key(string what, Func<ChatOptions> options)
    {
        Assert.NotEqual(Key(new ChatOptions()), Key(options()));
        Assert.Equal(Key(options()), Key(options())); // and it is stable: ({what})
        Assert.NotNull(what);
    }

    [Fact]
    public void Messages_change_the_key_but_ids_and_timestamps_do_not()
    {
        var baseKey = Key(null);
        Assert.NotEqual(baseKey, Key(null, Messages("Where is my invoice?")));
        var withRole = Messages();
        withRole[1] = new ChatMessage(ChatRole.Assistant, "Where is my refund?");
        Assert.NotEqual(baseKey, Key(null, withRole));
        var withAuthor = Messages();
        withAuthor[1].AuthorName = "bob";
        Assert.NotEqual(baseKey, Key(null, withAuthor));

        var withIds = Messages();
        withIds[1].MessageId = Guid.NewGuid().ToString();
        withIds[1].CreatedAt = DateTimeOffset.UtcNow;
        Assert.Equal(baseKey, Key(null, withIds));
    }

    [Fact]
    public void Content_boundaries_cannot_collide()
    {
        var split = new List<ChatMessage> { new(ChatRole.User, [new TextContent("ab"), new TextContent("c")]) };
        var joined = new List<ChatMessage> { new(ChatRole.User, [new TextContent("a"), new TextContent("bc")]) };
        Assert.NotEqual(Key(null, split), Key(null, joined));
        var twoMessages = new List<ChatMessage> { new(ChatRole.User, "a"), new(ChatRole.User, "b") };
        var oneMessage = new List<ChatMessage> { new(ChatRole.User, [new TextContent("a"), new TextContent("b")]) };
        Assert.NotEqual(Key(null, twoMessages), Key(null, oneMessage));
    }

    [Fact]
    public void Images_function_calls_and_results_are_part_of_the_key()
    {
        List<ChatMessage> With(AIContent c) => [new(ChatRole.User, [new TextContent("look"), c])];
        var keys = new HashSet<string>
        {
            Key(null, With(new DataContent(new byte[] { 1, 2, 3 }, "image/png"))),
            Key(null, With(new DataContent(new byte[] { 1, 2, 4 }, "image/png"))),
            Key(null, With(new UriContent("https://example.invalid/a.png", "image/png"))),
            Key(null, With(new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }))),
            Key(null, With(new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Tokyo" }))),
            Key(null, With(new FunctionResultContent("c1", "sunny"))),
            Key(null, With(new FunctionResultContent("c1", "rainy"))),
        };
        Assert.Equal(7, keys.Count);
    }

    [Fact]
    public void Metadata_that_does_not_change_the_answer_stays_out_of_the_key()
    {
        var plain = Key(new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptVersion = "v1" }));
        var more = Key(new ChatOptions().WithPromptOps(new PromptOpsMetadata
        {
            PromptVersion = "v1",
            PromptId = "Tickets.Classify",
            UserId = "user-42",
            CacheTtl = CacheTtl.Daily,
        }));
        Assert.Equal(plain, more);
    }

    [Fact]
    public void Requests_with_server_side_state_or_hidden_settings_are_not_cacheable()
    {
        Assert.Null(PromptCacheKey.Compute(Messages(), new ChatOptions { ConversationId = "conv-1" }));
        Assert.Null(PromptCacheKey.Compute(Messages(), new ChatOptions { AllowBackgroundResponses = true }));
        Assert.Null(PromptCacheKey.Compute(Messages(), new ChatOptions { RawRepresentationFactory = _ => new object() }));
        Assert.Null(PromptCacheKey.Compute(Messages(), new ChatOptions { Tools = [new HostedWebSearchTool()] }));
        Assert.Null(PromptCacheKey.Compute(Messages(), new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.None })));
    }

    [Fact]
    public void Scopes_of_several_parts_cannot_collide_through_the_separator()
    {
        // tenant "acme\u001fbob" + user "carol" against tenant "acme" + user "bob\u001fcarol".
        var a = PromptCall.Scope("acme\u001fbob", "carol");
        var b = PromptCall.Scope("acme", "bob\u001fcarol");
        Assert.NotEqual(a, b);
        Assert.NotEqual(ScopedKey(a), ScopedKey(b));

        // The escape character itself is escaped, so it cannot forge a separator either.
        Assert.NotEqual(PromptCall.Scope("a\u001b1", "b"), PromptCall.Scope("a", "b"));
        Assert.NotEqual(PromptCall.Scope("a\u001b", "1b"), PromptCall.Scope("a\u001b1b"));
        Assert.Equal(3, new HashSet<string> { PromptCall.Scope("x", "y", "z"), PromptCall.Scope("x", "y\u001fz"), PromptCall.Scope("x\u001fy", "z") }.Count);

        // Plain parts are joined as before.
        Assert.Equal("alice\u001f42", PromptCall.Scope("alice", "42"));

        static string ScopedKey(string scope) => Key(new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheScope = scope }));
    }

    [Fact]
    public void Unpaired_surrogates_are_encoded_losslessly()
    {
        // UTF-8 turns every unpaired surrogate into U+FFFD: these four strings used to share one key.
        var texts = new[] { "a\uD800b", "a\uDC00b", "a\uFFFDb", "a\uD801b" };
        var keys = texts.Select(t => Key(null, Messages(t))).ToHashSet();
        Assert.Equal(texts.Length, keys.Count);

        // Deterministic, and a well-formed pair is not confused with its halves.
        Assert.Equal(Key(null, Messages("a\uD800b")), Key(null, Messages("a\uD800b")));
        Assert.NotEqual(Key(null, Messages("\uD83D\uDE00")), Key(null, Messages("\uD83D")));

        // Elsewhere in the request too: the scope, the instructions.
        Assert.NotEqual(
            Key(new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheScope = "t\uD800" })),
            Key(new ChatOptions().WithPromptOps(new PromptOpsMetadata { CacheScope = "t\uFFFD" })));
        Assert.NotEqual(Key(new ChatOptions { Instructions = "\uDFFF" }), Key(new ChatOptions { Instructions = "\uFFFD" }));
    }

    [Fact]
    public void Unpaired_surrogates_in_json_values_never_share_a_key()
    {
        // Function arguments go through the JSON writer: an unpaired surrogate there is either encoded apart or not cacheable.
        List<ChatMessage> Call(string value) =>
            [new(ChatRole.User, "hi"), new(ChatRole.Assistant, [new FunctionCallContent("c1", "f", new Dictionary<string, object?> { ["x"] = value })])];
        var lone = PromptCacheKey.Compute(Call("a\uD800"), null);
        var replacement = PromptCacheKey.Compute(Call("a\uFFFD"), null);
        var other = PromptCacheKey.Compute(Call("a\uDC00"), null);
        Assert.True(lone is null || (lone != replacement && lone != other), "an unpaired surrogate shares a key");
        Assert.True(replacement is null || replacement != other, "an unpaired surrogate shares a key");
        Assert.NotNull(PromptCacheKey.Compute(Call("a\u00e9"), null)); // ordinary values stay cacheable
    }

    [Fact]
    public void Null_messages_or_contents_are_an_argument_exception_naming_the_index()
    {
        var withNull = new List<ChatMessage> { new(ChatRole.System, "s"), new(ChatRole.User, "u"), null! };
        var e = Assert.Throws<ArgumentException>(() => PromptCacheKey.Compute(withNull, null));
        Assert.Contains("messages[2] is null", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => PromptCacheKey.ComputePartition(withNull, null, out _));
        Assert.Contains("messages[2] is null", e.Message, StringComparison.Ordinal);

        var nullContent = new List<ChatMessage> { new(ChatRole.User, "u"), new(ChatRole.User, [new TextContent("a"), null!]) };
        e = Assert.Throws<ArgumentException>(() => PromptCacheKey.Compute(nullContent, null));
        Assert.Contains("messages[1].Contents[1] is null", e.Message, StringComparison.Ordinal);
    }
}
