using System.Globalization;
using Microsoft.Extensions.AI;
using PromptOps.Caching;
using PromptOps.Knowledge;

namespace PromptOps.Generators.Tests.Behaviour;

public class GeneratedClientTests
{
    private sealed class Recorder(params string[] replies) : IChatClient
    {
        private int _next;

        public List<(List<ChatMessage> Messages, ChatOptions? Options, CancellationToken Token)> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add((messages.ToList(), options, cancellationToken));
            var reply = replies[Math.Min(_next++, replies.Length - 1)];
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply))
            {
                ModelId = options?.ModelId ?? "gpt-4o",
                Usage = new UsageDetails { InputTokenCount = 1000, OutputTokenCount = 100 },
            });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls.Add((messages.ToList(), options, cancellationToken));
            foreach (var word in replies[0].Split(' '))
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task Enum_prompt_sends_the_labels_the_limit_the_metadata_and_the_token()
    {
        var chat = new Recorder("Billing.");
        using var cts = new CancellationTokenSource();
        var result = await new TicketTriage(chat).ClassifyAsync("I was charged twice", cts.Token);

        Assert.Equal(TicketCategory.Billing, result);
        var (messages, options, token) = Assert.Single(chat.Calls);
        Assert.Equal(cts.Token, token);
        Assert.Equal(ChatRole.System, messages[0].Role);
        Assert.Equal("Classify the support ticket.\n\nAnswer with exactly one of: Billing, Technical issue, Account.", messages[0].Text);
        Assert.Equal("I was charged twice", messages[1].Text);
        Assert.Equal(10, options!.MaxOutputTokens);
        var meta = options.GetPromptOps()!;
        Assert.Equal("PromptOps.Generators.Tests.Behaviour.TicketTriage.ClassifyAsync", meta.PromptId);
        Assert.Equal("classification", meta.Task);
        Assert.Equal(ModelTier.FastCheap, meta.EffectiveTier);
        Assert.Equal(CacheTtl.Static, meta.CacheTtl);
        Assert.Null(meta.SemanticThreshold); // the semantic layer's configured threshold applies
        Assert.Matches("^[0-9a-f]{16}$", meta.PromptVersion!);
    }

    [Fact]
    public async Task The_metadata_says_how_much_of_the_sent_text_is_fixed()
    {
        // The provider prompt cache placement marks the end of this prefix (issue #18): the system text and then the user
        // template up to its first placeholder, whatever the arguments are.
        var chat = new Recorder("Billing.", "Billing.", "a", "b");
        await new TicketTriage(chat).ClassifyAsync("I was charged twice");
        await new TicketTriage(chat).ClassifyAsync("something else entirely");
        var overloads = new OverloadedPrompts(chat);
        await overloads.SummarizeAsync("text");
        await overloads.SummarizeAsync("text", 10);

        string Sent(int call) => string.Concat(chat.Calls[call].Messages.Select(m => m.Text));
        int Fixed(int call) => chat.Calls[call].Options!.GetPromptOps()!.StaticPrefixLength!.Value;

        // The system prompt is fixed, the user message is the ticket: the prefix is the whole system text.
        Assert.Equal(chat.Calls[0].Messages[0].Text.Length, Fixed(0));
        Assert.Equal(Sent(0)[..Fixed(0)], Sent(1)[..Fixed(1)]);
        Assert.NotEqual(Sent(0)[..(Fixed(0) + 1)], Sent(1)[..(Fixed(1) + 1)]);
        // No system prompt: the user template's text before its first placeholder.
        Assert.Equal("Summarize: ".Length, Fixed(2));
        Assert.Equal("Summarize in ".Length, Fixed(3));
    }

    [Fact]
    public async Task Overloads_have_their_own_prompt_ids_and_versions()
    {
        var chat = new Recorder("a", "b", "c");
        var overloads = new OverloadedPrompts(chat);
        await overloads.SummarizeAsync("text");
        await overloads.SummarizeAsync("text", "tenant-1");
        await overloads.SummarizeAsync("text", 10);

        var metadata = chat.Calls.Select(c => c.Options!.GetPromptOps()!).ToList();
        Assert.Equal(
            [
                "PromptOps.Generators.Tests.Behaviour.OverloadedPrompts.SummarizeAsync(string)",
                "PromptOps.Generators.Tests.Behaviour.OverloadedPrompts.SummarizeAsync(string, string)",
                "PromptOps.Generators.Tests.Behaviour.OverloadedPrompts.SummarizeAsync(string, int)",
            ],
            metadata.Select(m => m.PromptId));
        Assert.Equal(3, metadata.Select(m => m.PromptVersion).Distinct().Count());
        Assert.Equal("Summarize: text\n\nAnswer in at most 120 words.", chat.Calls[0].Messages.Single().Text);
        Assert.Equal("tenant-1", metadata[1].CacheScope);
        Assert.Equal("Summarize in 10 words: text\n\nAnswer in at most 120 words.", chat.Calls[2].Messages.Single().Text);
    }

    [Theory]
    [InlineData("Technical issue", TicketCategory.Technical)]
    [InlineData("technical", TicketCategory.Technical)]
    [InlineData("\"ACCOUNT\"", TicketCategory.Account)]
    [InlineData("**Billing** - the customer was charged twice.", TicketCategory.Billing)]
    [InlineData("Account. The user cannot log in.", TicketCategory.Account)]
    public async Task Enum_replies_are_parsed_leniently(string reply, TicketCategory expected)
    {
        Assert.Equal(expected, await new TicketTriage(new Recorder(reply)).ClassifyAsync("x"));
    }

    [Fact]
    public async Task An_enum_reply_that_matches_no_label_throws_with_the_raw_reply()
    {
        var e = await Assert.ThrowsAsync<PromptReplyException>(() => new TicketTriage(new Recorder("Shipping")).ClassifyAsync("x"));
        Assert.Equal("Shipping", e.RawReply);
        Assert.Equal(typeof(TicketCategory), e.TargetType);
        Assert.Contains("Technical issue", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Yes", true)]
    [InlineData("no.", false)]
    [InlineData("YES, it is urgent because the site is down.", true)]
    [InlineData("はい", true)]
    [InlineData("いいえ、急ぎではありません。", false)]
    public async Task Bool_replies_accept_yes_no_in_english_and_japanese(string reply, bool expected)
    {
        var chat = new Recorder(reply);
        Assert.Equal(expected, await new TicketTriage(chat).IsUrgentAsync("down"));
        var (messages, options, _) = chat.Calls.Single();
        Assert.Equal("Is the ticket urgent?\n\nAnswer yes or no.", messages[0].Text);
        Assert.Equal("Ticket: \"down\" ", messages[1].Text);
        Assert.Equal(3, options!.MaxOutputTokens);
    }

    [Fact]
    public async Task A_reply_that_is_neither_yes_nor_no_throws()
    {
        var e = await Assert.ThrowsAsync<PromptReplyException>(async () => await new TicketTriage(new Recorder("Maybe")).IsUrgentAsync("x"));
        Assert.Equal("Maybe", e.RawReply);
    }

    [Fact]
    public async Task Values_are_formatted_with_the_invariant_culture_and_braces_escape()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var chat = new Recorder("1,234");
            var n = await new TicketTriage(chat).CountAsync(new DateTime(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc), 2.5);
            Assert.Equal(1234, n);
            Assert.Equal("How many days since 2026-11-30T08:00:00.0000000Z until 2.5 more? {not a placeholder}", chat.Calls.Single().Messages[1].Text);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public async Task Json_results_send_the_schema_and_read_the_reply_with_usage_and_cost()
    {
        var chat = new Recorder("```json\n{\"number\":\"INV-7\",\"total\":\"12.50\"}\n```");
        var result = await new TicketTriage(chat).ExtractAsync("one two three four five six seven eight nine ten", CancellationToken.None);

        Assert.Equal(new Invoice("INV-7", 12.50m), result.Value);
        Assert.Equal(1000, result.Usage!.InputTokenCount);
        Assert.Equal((1000 * 2.50m + 100 * 10m) / 1_000_000m, result.CostUsd);
        Assert.False(result.IsCacheHit);
        var (messages, options, _) = chat.Calls.Single();
        Assert.Equal(120, options!.MaxOutputTokens);
        Assert.Equal(0f, options.Temperature);
        Assert.Equal(ModelTier.HighQuality, options.GetPromptOps()!.Tier);
        var format = Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat);
        Assert.Contains("total", format.Schema!.Value.GetRawText(), StringComparison.Ordinal);

        // [MaxInputTokens(5)] cut the document to five o200k tokens.
        Assert.Equal("one two three four five", messages[1].Text);
    }

    [Fact]
    public async Task Invalid_json_throws_with_the_raw_reply()
    {
        var e = await Assert.ThrowsAsync<PromptReplyException>(() => new TicketTriage(new Recorder("not json")).ExtractAsync("x", default));
        Assert.Equal("not json", e.RawReply);
    }

    [Fact]
    public async Task Cache_scope_parameters_are_joined_into_the_scope_and_complex_values_are_json()
    {
        var chat = new Recorder("ok");
        await new TicketTriage(chat).SummarizeAsync(new Invoice("A-1", 3m), "alice", 42);
        var (messages, options, _) = chat.Calls.Single();
        Assert.Equal("Summarize for alice: {\"number\":\"A-1\",\"total\":3}\n\nAnswer in at most 120 words.", messages.Single().Text);
        Assert.Equal("alice\u001f42", options!.GetPromptOps()!.CacheScope);
        Assert.Equal(TimeSpan.FromMinutes(10), options.GetPromptOps()!.CacheTtl!.Value.Duration);
        Assert.Equal(0.97, options.GetPromptOps()!.SemanticThreshold);
    }

    [Fact]
    public async Task Generated_clients_work_through_the_PromptOps_cache_and_scopes_keep_answers_apart()
    {
        var provider = new Recorder("first", "second", "third");
        using var cached = new ChatClientBuilder(provider).UsePromptOps().Build();
        var triage = new TicketTriage(cached);

        Assert.Equal("first", await triage.SummarizeAsync(new Invoice("A", 1m), "alice", 1));
        Assert.Equal("first", await triage.SummarizeAsync(new Invoice("A", 1m), "alice", 1));
        Assert.Equal("second", await triage.SummarizeAsync(new Invoice("A", 1m), "bob", 1));
        Assert.Equal(2, provider.Calls.Count);
        Assert.Equal("claude-haiku-4-5", provider.Calls[0].Options!.ModelId); // summary → balanced tier
    }

    [Fact]
    public async Task Streaming_yields_text_and_honours_cancellation()
    {
        var chat = new Recorder("one two three");
        var chunks = new List<string>();
        await foreach (var chunk in new TicketTriage(chat).WriteAsync("cats")) chunks.Add(chunk);
        Assert.Equal("one two three ", string.Concat(chunks));
        Assert.Equal(1000, chat.Calls.Single().Options!.MaxOutputTokens);

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in new TicketTriage(new Recorder("a b c")).WriteAsync("dogs").WithCancellation(cts.Token))
            {
                await cts.CancelAsync();
            }
        });
    }

    [Fact]
    public async Task MaxInputTokens_on_the_prompt_rejects_oversized_input_before_calling()
    {
        var chat = new Recorder("ok");
        Assert.Equal("ok", await new TicketTriage(chat).EchoAsync("short"));
        var e = await Assert.ThrowsAsync<PromptInputTooLongException>(() => new TicketTriage(chat).EchoAsync(string.Join(' ', Enumerable.Repeat("word", 50))));
        Assert.Equal(8, e.MaxTokens);
        Assert.Single(chat.Calls);
        Assert.Equal(500, chat.Calls[0].Options!.MaxOutputTokens); // no task: the documented default
    }

    [Fact]
    public async Task Static_methods_take_the_client_as_first_parameter_and_generic_nested_types_work()
    {
        var chat = new Recorder("Bonjour", "0.75");
        Assert.Equal("Bonjour", await StaticPrompts.TranslateAsync(chat, "Hello", "French"));
        Assert.Equal(0.75m, await new Outer<int>.Inner(chat).ScoreAsync(3));
        Assert.Equal("Translate to French: Hello", chat.Calls[0].Messages.Single().Text);
        Assert.Equal("Describe 3", chat.Calls[1].Messages[1].Text);
        Assert.Equal(5, chat.Calls[1].Options!.MaxOutputTokens);
    }

    [Fact]
    public async Task The_prompt_version_is_stable_and_differs_between_prompts()
    {
        var chat = new Recorder("Billing");
        var triage = new TicketTriage(chat);
        await triage.ClassifyAsync("a");
        await triage.ClassifyAsync("b");
        await triage.EchoAsync("c");
        var versions = chat.Calls.Select(c => c.Options!.GetPromptOps()!.PromptVersion).ToList();
        Assert.Equal(versions[0], versions[1]);
        Assert.NotEqual(versions[0], versions[2]);
    }
}
