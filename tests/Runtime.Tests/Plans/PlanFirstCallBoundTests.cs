using Microsoft.Extensions.AI;
using PromptOps.Budgets;
using PromptOps.Plans;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using PromptOps.Tests.Budgets;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Plans;

/// <summary>
/// Plans on a process's first calls, while the exact tokenizer loads (the test's own "still loading",
/// <see cref="UserPlanChatClient.TokenizerLoaded"/>): the request's UTF-8 byte count, an upper bound, admits what fits
/// within it; nothing is refused on the bound alone (what the bound does not fit is counted exactly first), and a settle
/// without usage charges the exact worst case.
/// </summary>
public sealed class PlanFirstCallBoundTests
{
    private const string Model = "gpt-4o-mini";

    private static ChatOptions For(string user, int maxOutput = 100) =>
        new ChatOptions { ModelId = Model, MaxOutputTokens = maxOutput }.WithPromptOps(new PromptOpsMetadata { UserId = user });

    private static UserPlanChatClient Plans(IChatClient provider, UserPlanDefinition plan, Func<IEnumerable<ChatMessage>, ChatOptions?, string?, int>? countExactly = null,
        IBudgetStore? store = null, TimeProvider? time = null) =>
        new(provider, new UserPlanOptions { Enabled = true, Definitions = { ["free"] = plan } }, store ?? new InMemoryBudgetStore(), null, null, TimeSpan.FromMinutes(5), time ?? Clock())
        {
            TokenizerLoaded = _ => false,
            CountExactly = countExactly ?? RequestTokens.Count,
        };

    private static readonly List<ChatMessage> Question = Ask("Is this parcel delayed? Answer yes or no, then one sentence on why, with the carrier's own words.");

    /// <summary>The question's exact worst case in tokens for alice: its input and the 100 output tokens <see cref="For"/> sets.</summary>
    private static int ExactWorst => RequestTokens.Count(Question, For("alice"), Model) + 100;

    [Fact]
    public async Task An_input_whose_bound_is_over_the_limit_but_whose_tokens_are_not_is_admitted_and_a_longer_one_refused_exactly()
    {
        var provider = Provider();
        var messages = Ask(string.Join(' ', Enumerable.Repeat("budget", 1_500))); // ~1,500 tokens, ~10,500 bytes
        var options = For("alice");
        var exact = RequestTokens.Count(messages, options, Model);
        Assert.True(ByteBound(messages, options, Model) > 2_000 && exact < 2_000);

        using var client = Plans(provider, new UserPlanDefinition { MaxInputTokens = 2_000, RequestsPerMinute = 10_000 });
        await client.GetResponseAsync(messages, options);
        Assert.Equal(1, provider.Calls);

        var longer = Ask(string.Join(' ', Enumerable.Repeat("budget", 2_100)));
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(longer, For("alice")));
        Assert.Equal(PlanLimitException.MaxInputTokens, e.LimitName);
        Assert.Equal(RequestTokens.Count(longer, For("alice"), Model), (int)e.Current);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Daily_tokens_a_bound_that_does_not_fit_is_counted_exactly_before_anything_is_refused()
    {
        var (messages, options, exactWorst) = (Question, For("alice"), ExactWorst);
        var boundWorst = ByteBound(messages, options, Model) + 100;

        // Room for the exact worst case, not for the bound: admitted.
        var provider = Provider();
        using var roomy = Plans(provider, new UserPlanDefinition { DailyTokens = (exactWorst + boundWorst) / 2, RequestsPerMinute = 10_000 });
        await roomy.GetResponseAsync(messages, options);
        Assert.Equal(1, provider.Calls);

        // No room for the exact worst case: refused, with the exact amount.
        using var tight = Plans(provider, new UserPlanDefinition { DailyTokens = exactWorst - 1, RequestsPerMinute = 10_000 });
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => tight.GetResponseAsync(messages, options));
        Assert.Equal(PlanLimitException.DailyTokens, e.LimitName);
        Assert.Contains($"this request may use {exactWorst}", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task A_call_answered_without_usage_is_charged_the_exact_worst_case_not_the_bound()
    {
        var (messages, options, exactWorst) = (Question, For("alice"), ExactWorst);
        var provider = new RecordingChatClient { Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Yes."))) };
        using var client = Plans(provider, new UserPlanDefinition { DailyTokens = (2 * exactWorst) - 1, RequestsPerMinute = 10_000 });

        await client.GetResponseAsync(messages, options);
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(messages, options));

        Assert.Equal(exactWorst, e.Current); // what the first call was charged
    }

    [Fact]
    public async Task A_call_within_the_bound_whose_provider_reports_usage_never_counts_exactly()
    {
        var exactCounts = 0;
        var provider = Provider();
        using var client = Plans(provider, new UserPlanDefinition { MaxInputTokens = 2_000, DailyTokens = 100_000, RequestsPerMinute = 10_000 }, (m, o, model) =>
        {
            Interlocked.Increment(ref exactCounts);
            return RequestTokens.Count(m, o, model);
        });

        await client.GetResponseAsync(Question, For("alice"));
        await foreach (var _ in client.GetStreamingResponseAsync(Question, For("alice")))
        {
        }

        Assert.Equal(2, provider.Calls);
        Assert.Equal(0, exactCounts);
    }

    [Fact]
    public async Task A_tokenizer_that_cannot_count_at_the_settle_leaves_the_reserved_tokens_charged()
    {
        var boundWorst = ByteBound(Question, For("alice"), Model) + 100;
        var store = new InMemoryBudgetStore();
        var time = Clock();
        var provider = new RecordingChatClient { Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Yes."))) };
        using var broken = Plans(provider, new UserPlanDefinition { DailyTokens = 100_000, RequestsPerMinute = 10_000 }, (_, _, _) => throw new InvalidOperationException("tokenizer data missing"), store, time);

        var response = await broken.GetResponseAsync(Question, For("alice"));
        Assert.Equal("Yes.", response.Text);

        // After the lease would have expired (an unsettled one is released then), a plan with room for less than the
        // question's exact worst case next to that charge refuses, naming the charge: the reserved bound, not lost.
        time.Advance(TimeSpan.FromMinutes(10));
        using var probe = Plans(provider, new UserPlanDefinition { DailyTokens = boundWorst + ExactWorst - 1, RequestsPerMinute = 10_000 }, null, store, time);
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => probe.GetResponseAsync(Question, For("alice")));
        Assert.Equal(boundWorst, e.Current);
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task An_escrow_that_refuses_the_bound_by_amount_is_asked_again_exactly_and_a_store_that_refuses_everything_is_not()
    {
        var exactCounts = 0;
        int Count(IEnumerable<ChatMessage> m, ChatOptions? o, string? model)
        {
            Interlocked.Increment(ref exactCounts);
            return RequestTokens.Count(m, o, model);
        }

        var plan = new UserPlanDefinition { DailyTokens = 100_000, RequestsPerMinute = 10_000 };
        var provider = Provider();
        var slices = new SlicesStore(ExactWorst); // room for the exact worst case, not for the bound
        using var escrow = Plans(provider, plan, Count, slices);
        await escrow.GetResponseAsync(Question, For("alice"));
        Assert.Equal(1, provider.Calls);
        Assert.Equal((1, 1), (slices.Unavailable, exactCounts));

        var down = new SlicesStore(0, byAmount: false);
        using var failClosed = Plans(provider, plan, Count, down);
        await Assert.ThrowsAsync<BudgetStoreUnavailableException>(() => failClosed.GetResponseAsync(Question, For("alice")));
        Assert.Equal((1, 1), (down.Unavailable, exactCounts)); // refused once, without waiting for the exact count
        Assert.Equal(1, provider.Calls);
    }
}
