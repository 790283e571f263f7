using System.Text.Json;
using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Pricing;
using PromptOps.Routing.Batching;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Budgets;

/// <summary>
/// A process's first calls with a budget do not wait for the exact tokenizer (it loads in the background for ~0.3–0.7 s):
/// the breaker reserves on the UTF-8 byte count of the request, an upper bound, and counts exactly when it settles. The
/// tokenizer's state is the test's own (<see cref="CostBudgetChatClient.TokenizerLoaded"/>), so every test sees "still
/// loading" whatever other tests have loaded in this process.
/// </summary>
public sealed class FirstCallBoundTests
{
    private const string Question = "Summarise the attached release notes for a customer newsletter: three bullet points, plain words, no jargon.";

    private static (CostBudgetChatClient Client, CostBudget Budget) Breaker(IChatClient provider, bool loaded, decimal limit = 1m,
        IBudgetStore? store = null, IBudgetAlertSink? alerts = null, Func<IEnumerable<ChatMessage>, ChatOptions?, string?, int>? countExactly = null, TimeProvider? time = null)
    {
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = limit }, store ?? new InMemoryBudgetStore(), new PriceCatalog(), TimeSpan.FromMinutes(5), time ?? Clock(),
            alertSinks: alerts is null ? null : [alerts]);
        return (new CostBudgetChatClient(provider, budget) { TokenizerLoaded = _ => loaded, CountExactly = countExactly ?? RequestTokens.Count }, budget);
    }

    private static async Task<decimal> SpentAsync(CostBudget budget) =>
        (await budget.GetStatusAsync()).Windows.Single(w => w.Window == BudgetWindow.Day).SpentOrReservedUsd;

    /// <summary>The question on gpt-4o with 200 output tokens, and its exact and byte-bound worst cases.</summary>
    private static (List<ChatMessage> Messages, ChatOptions Options, decimal ExactWorst, decimal BoundWorst) TheQuestion()
    {
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);
        return (messages, options, WorstCase(messages, options, 200), BoundWorstCase(messages, options, 200));
    }

    private static decimal BoundWorstCase(IList<ChatMessage> messages, ChatOptions options, int maxOutput) =>
        (ByteBound(messages, options, "gpt-4o") * Gpt4oInput) + (maxOutput * Gpt4oOutput);

    [Fact]
    public async Task While_the_tokenizer_loads_the_reservation_holds_the_byte_bound_and_the_settle_counts_exactly()
    {
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient
        {
            Respond = async (_, _, _) =>
            {
                await gate.Task;
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "Three points: faster, cheaper, simpler.")); // no usage reported
            },
        };
        var (client, budget) = Breaker(provider, loaded: false);
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);

        var call = client.GetResponseAsync(messages, options);
        var reserved = await SpentAsync(budget);
        Assert.Equal(Usd(BoundWorstCase(messages, options, 200)), Usd(reserved));
        Assert.True(reserved > WorstCase(messages, options, 200), "the bound holds more than the exact worst case");

        gate.SetResult();
        await call;

        // The same call once the tokenizer is loaded settles to the same estimate: the exact input plus the answer's tokens.
        var (loadedClient, loadedBudget) = Breaker(provider, loaded: true);
        await loadedClient.GetResponseAsync(messages, options);
        var exact = (RequestTokens.Count(messages, options, "gpt-4o") * Gpt4oInput) + (TiktokenTokenCounter.O200k.CountTokens("Three points: faster, cheaper, simpler.") * Gpt4oOutput);
        Assert.Equal(Usd(exact), Usd(await SpentAsync(loadedBudget)));
        Assert.Equal(Usd(exact), Usd(await SpentAsync(budget)));
    }

    [Fact]
    public async Task A_bound_that_does_not_fit_is_no_refusal_the_call_waits_for_the_exact_count()
    {
        var (messages, options, exactWorst, boundWorst) = TheQuestion();
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient
        {
            Respond = async (_, o, _) =>
            {
                await gate.Task;
                return Answer("gpt-4o", 10, 10);
            },
        };

        // Room for the exact worst case and not for the bound.
        var limit = (exactWorst + boundWorst) / 2;
        var (client, budget) = Breaker(provider, loaded: false, limit);
        var call = client.GetResponseAsync(messages, options);
        Assert.Equal(Usd(exactWorst), Usd(await SpentAsync(budget)));
        gate.SetResult();
        await call;
        Assert.Equal(1, provider.Calls);

        // What does not fit exactly is still refused, with the exact worst case.
        var (tight, _) = Breaker(provider, loaded: false, exactWorst - 0.000001m);
        var e = await Assert.ThrowsAsync<BudgetExceededException>(() => tight.GetResponseAsync(messages, options));
        Assert.Equal(Usd(exactWorst), Usd(e.RequestedUsd));
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task A_call_cancelled_before_answering_is_charged_the_exact_worst_case_not_the_bound()
    {
        var provider = new RecordingChatClient { Respond = (_, _, _) => throw new OperationCanceledException() };
        var (client, budget) = Breaker(provider, loaded: false);
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);

        await Assert.ThrowsAsync<OperationCanceledException>(() => client.GetResponseAsync(messages, options));

        Assert.Equal(Usd(WorstCase(messages, options, 200)), Usd(await SpentAsync(budget)));
    }

    [Fact]
    public async Task An_abandoned_stream_is_estimated_on_the_exact_input()
    {
        var provider = new RecordingChatClient { Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Faster. Cheaper. Simpler."))) };
        var (client, budget) = Breaker(provider, loaded: false);
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);

        await foreach (var update in client.GetStreamingResponseAsync(messages, options))
        {
            if (update.Text.Length > 0) break; // the caller stops reading after the first text
        }

        // The exact input plus the tokens of the text received (one update holds it all).
        var expected = (RequestTokens.Count(messages, options, "gpt-4o") * Gpt4oInput) + (TiktokenTokenCounter.O200k.CountTokens("Faster. Cheaper. Simpler.") * Gpt4oOutput);
        Assert.Equal(Usd(expected), Usd(await SpentAsync(budget)));
    }

    [Fact]
    public async Task A_call_whose_provider_reports_usage_never_counts_exactly_and_a_loaded_tokenizer_counts_once()
    {
        var exactCounts = 0;
        int Count(IEnumerable<ChatMessage> m, ChatOptions? o, string? model)
        {
            Interlocked.Increment(ref exactCounts);
            return RequestTokens.Count(m, o, model);
        }

        var (loading, _) = Breaker(Provider(), loaded: false, countExactly: Count);
        await loading.GetResponseAsync(Ask(Question), Gpt4o(maxOutput: 200));
        await foreach (var _ in loading.GetStreamingResponseAsync(Ask(Question), Gpt4o(maxOutput: 200)))
        {
        }

        Assert.Equal(0, exactCounts); // the first calls neither waited for the tokenizer nor recounted at their settle

        var (loaded, _) = Breaker(Provider(), loaded: true, countExactly: Count);
        await loaded.GetResponseAsync(Ask(Question), Gpt4o(maxOutput: 200));
        Assert.Equal(0, exactCounts); // once loaded, CountOrBound counts exactly itself (RequestTokens.Count), not through the fallback
    }

    [Fact]
    public async Task A_bound_that_is_refused_raises_no_alert_the_exact_reservation_alerts_as_usual()
    {
        var (messages, options, exactWorst, boundWorst) = TheQuestion();
        var alerts = new InMemoryBudgetAlertSink();

        // The exact worst case is 95 % of the limit, the bound above it: admitted, and alerted as a 50/80 % crossing, never "refused".
        var (client, _) = Breaker(Provider(), loaded: false, limit: exactWorst / 0.95m, alerts: alerts);
        Assert.True(boundWorst > exactWorst / 0.95m);
        await client.GetResponseAsync(messages, options);

        Assert.DoesNotContain(alerts.Alerts, a => a.Refused || a.ThresholdPercent == 100);
        Assert.Contains(alerts.Alerts, a => a.ThresholdPercent == 80);
    }

    [Fact]
    public async Task An_escrow_that_refuses_the_bound_by_amount_while_the_store_is_down_is_asked_again_with_the_exact_worst_case()
    {
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);
        var exactNano = (long)Math.Ceiling(WorstCase(messages, options, 200) * 1_000_000_000m);
        var store = new SlicesStore(exactNano); // room for the exact worst case, not for the bound
        var provider = Provider();
        var (client, _) = Breaker(provider, loaded: false, store: store);

        await client.GetResponseAsync(messages, options);

        Assert.Equal(1, provider.Calls);
        Assert.Equal(1, store.Unavailable);
    }

    [Fact]
    public async Task A_tokenizer_that_cannot_count_at_the_settle_leaves_the_reserved_worst_case_charged_and_the_answer_returned()
    {
        var provider = new RecordingChatClient { Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "No usage reported."))) };
        var time = Clock();
        var (client, budget) = Breaker(provider, loaded: false, countExactly: (_, _, _) => throw new InvalidOperationException("tokenizer data missing"), time: time);
        var messages = Ask(Question);
        var options = Gpt4o(maxOutput: 200);

        var response = await client.GetResponseAsync(messages, options);

        Assert.Equal("No usage reported.", response.Text);
        // Settled at the lease's worst case: still counted after the lease would have expired (an unsettled lease is released then).
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Usd(BoundWorstCase(messages, options, 200)), Usd(await SpentAsync(budget)));
    }

    [Fact]
    public async Task A_deferrable_call_held_for_its_batch_reserves_its_exact_worst_case_not_the_bound()
    {
        await using var scheduler = new ProviderBatchScheduler(new ProviderBatchOptions
        {
            BaseAddress = new Uri("http://127.0.0.1:9/"), // never reached: nothing is submitted before the test ends
            ApiKey = "test",
            MaxBatchSize = 1_000,
            MaxBatchAge = TimeSpan.FromHours(1),
        });
        var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 1m }, new InMemoryBudgetStore(), new PriceCatalog(), TimeSpan.FromMinutes(5), Clock());
        using var client = new CostBudgetChatClient(new DeferrableChatClient(new RecordingChatClient(), scheduler), budget) { TokenizerLoaded = _ => false };
        using var stop = new CancellationTokenSource();
        var messages = Ask(Question);

        var deferred = client.GetResponseAsync(messages, Gpt4o(maxOutput: 200).Deferrable("k"), stop.Token);
        for (var i = 0; scheduler.Statistics.ItemsQueued == 0; i++)
        {
            Assert.True(i < 3_000, "The deferrable call never reached the scheduler.");
            await Task.Delay(10);
        }

        // Held for hours: a bound would crowd out calls that fit for that long.
        Assert.Equal(Usd(WorstCase(messages, Gpt4o(maxOutput: 200), 200)), Usd(await SpentAsync(budget)));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deferred);
    }

    [Fact]
    public async Task A_store_that_refuses_everything_is_not_asked_again_and_the_call_does_not_wait_for_the_exact_count()
    {
        var exactCounts = 0;
        var store = new SlicesStore(0, byAmount: false); // FailClosed while Redis is down: no amount fits
        var (client, _) = Breaker(Provider(), loaded: false, store: store, countExactly: (m, o, model) =>
        {
            Interlocked.Increment(ref exactCounts);
            return RequestTokens.Count(m, o, model);
        });

        await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => client.GetResponseAsync(Ask(Question), Gpt4o(maxOutput: 200)));

        Assert.Equal(1, store.Unavailable);
        Assert.Equal(0, exactCounts);
    }

    public static TheoryData<string> Texts() => new()
    {
        "What is the capital of France?",
        "日本語の問い合わせを三行で要約してください。敬語は不要です。",
        "Emoji 🙂🚀 and accents: café, naïve, Straße, Ελληνικά, русский.",
        "<|endoftext|> spelled out, and <|im_start|>system",
        "```csharp\nvar x = items.Where(i => i.Price > 10).Select(i => i.Name).ToList();\n```",
        new string('a', 5000),
        "  \n\t\n  ",
        "Lone surrogates: \uD83D and \uDE00, then a pair \uD83D\uDE00.",
        "CJK Extension B: 𠀀𠀁𠀂𪜀 and rare kanji 鬱鬯 with ｶﾀｶﾅ half-width.",
        "Thai and Devanagari with combining marks: ภาษาไทย ที่ถูกต้อง, हिन्दी में लिखें, क्षत्रिय.",
        "Base64: iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_bound_is_never_below_the_exact_count(string text)
    {
        var tool = AIFunctionFactory.Create((string city, int days) => $"{city}:{days}", "forecast", "Weather forecast for a city.");
        List<ChatMessage> messages =
        [
            new(ChatRole.System, text),
            new(ChatRole.User, text) { AuthorName = "ユーザー" },
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "forecast", new Dictionary<string, object?> { ["city"] = text, ["days"] = 3 })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", JsonSerializer.SerializeToElement(new { text }))]),
        ];
        var options = new ChatOptions { ModelId = "gpt-4o", Instructions = text, Tools = [tool] };
        foreach (var model in new[] { "gpt-4o", "gpt-4-turbo" })
        {
            var bound = RequestTokens.CountOrBound(messages, options, model, _ => false, out var exact);
            Assert.False(exact);
            Assert.True(bound >= RequestTokens.Count(messages, options, model), $"{model}: bound {bound} < exact {RequestTokens.Count(messages, options, model)}");
        }
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void The_byte_counter_truncates_to_the_longest_prefix_within_the_limit_and_never_splits_a_pair(string text)
    {
        foreach (var max in new[] { 0, 1, 3, 7, 40, 100_000 })
        {
            var prefix = Utf8ByteCounter.Instance.Truncate(text, max);
            Assert.StartsWith(prefix, text, StringComparison.Ordinal);
            Assert.True(Utf8ByteCounter.Instance.CountTokens(prefix) <= max, $"{max}: {prefix}");
            if (prefix.Length < text.Length)
            {
                var next = char.IsHighSurrogate(text[prefix.Length]) && prefix.Length + 1 < text.Length && char.IsLowSurrogate(text[prefix.Length + 1]) ? 2 : 1;
                Assert.True(Utf8ByteCounter.Instance.CountTokens(text[..(prefix.Length + next)]) > max, $"{max}: a longer prefix fits");
                Assert.False(prefix.Length > 0 && char.IsHighSurrogate(prefix[^1]) && char.IsLowSurrogate(text[prefix.Length]), "a surrogate pair was split");
            }
        }
    }

    [Fact]
    public async Task Counting_on_the_bound_starts_loading_the_tokenizer_so_that_a_hand_built_breaker_gets_exact_counts_later()
    {
        // A breaker built by hand (no UsePromptOps, so nothing warmed the tokenizer) must not count on the bound forever.
        RequestTokens.CountOrBound(Ask(Question), Gpt4o(), "gpt-4-turbo", _ => false, out _);

        var load = TokenizerWarmup.Shared.WhenLoaded("cl100k_base");
        Assert.NotNull(load);
        await load;
        Assert.True(TiktokenTokenCounter.IsCreated("cl100k_base"));
    }

    [Fact]
    public void A_model_without_a_local_tokenizer_is_estimated_as_before_and_a_loaded_tokenizer_counts_exactly()
    {
        var messages = Ask(Question);
        var options = new ChatOptions { ModelId = "claude-haiku-4-5" };
        Assert.Equal(RequestTokens.Count(messages, options, "claude-haiku-4-5"), RequestTokens.CountOrBound(messages, options, "claude-haiku-4-5", _ => false, out var estimated));
        Assert.True(estimated);
        Assert.Equal(RequestTokens.Count(messages, Gpt4o(), "gpt-4o"), RequestTokens.CountOrBound(messages, Gpt4o(), "gpt-4o", _ => true, out var exact));
        Assert.True(exact);
    }
}
