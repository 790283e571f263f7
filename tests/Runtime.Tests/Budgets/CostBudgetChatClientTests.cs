using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using static PromptOps.Tests.Budgets.BudgetTestKit;

namespace PromptOps.Tests.Budgets;

public class CostBudgetChatClientTests
{
    private static (CostBudgetChatClient Client, CostBudget Budget, InMemoryBudgetStore Store) Breaker(IChatClient provider, FakeTimeProvider time, Action<CostBudgetOptions> configure)
    {
        var options = new CostBudgetOptions();
        configure(options);
        var store = new InMemoryBudgetStore();
        var budget = new CostBudget(options, store, new PriceCatalog(), TimeSpan.FromMinutes(5), time);
        return (new CostBudgetChatClient(provider, budget), budget, store);
    }

    private static async Task<decimal> SpentAsync(CostBudget budget, BudgetWindow window) =>
        (await budget.GetStatusAsync()).Windows.Single(w => w.Window == window).SpentOrReservedUsd;

    [Fact]
    public async Task Reserves_counted_input_plus_MaxOutputTokens_at_the_model_price_while_the_call_runs()
    {
        var time = Clock();
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient
        {
            Respond = async (_, o, _) =>
            {
                await gate.Task;
                return Answer("gpt-4o", 12, 40);
            },
        };
        var (client, budget, _) = Breaker(provider, time, o => o.DailyLimitUsd = 1m);
        var messages = Ask();
        var options = Gpt4o(maxOutput: 1000);

        var call = client.GetResponseAsync(messages, options);
        var expectedWorst = RequestTokens.Count(messages, options, "gpt-4o") * Gpt4oInput + 1000 * Gpt4oOutput;
        Assert.Equal(Usd(expectedWorst), Usd(await SpentAsync(budget, BudgetWindow.Day)));

        gate.SetResult();
        await call;
        Assert.Equal(Usd(12 * Gpt4oInput + 40 * Gpt4oOutput), Usd(await SpentAsync(budget, BudgetWindow.Day)));
    }

    [Fact]
    public async Task Settles_cached_input_at_the_cached_price()
    {
        var (client, budget, _) = Breaker(Provider(input: 1000, output: 100, cached: 800), Clock(), o => o.DailyLimitUsd = 1m);
        await client.GetResponseAsync(Ask(), Gpt4o());
        var expected = 200 * Gpt4oInput + 800 * Gpt4oCached + 100 * Gpt4oOutput;
        Assert.Equal(Usd(expected), Usd(await SpentAsync(budget, BudgetWindow.Day)));
    }

    [Fact]
    public async Task Uses_the_default_max_output_when_the_request_sets_none()
    {
        var time = Clock();
        var (client, budget, _) = Breaker(Provider(), time, o =>
        {
            o.DailyLimitUsd = 1m;
            o.DefaultMaxOutputTokens = 2000;
        });
        var messages = Ask();
        var options = Gpt4o(maxOutput: null);
        var worst = WorstCase(messages, options, 2000);

        // Fill the budget so that exactly less than this worst case remains: the next request is refused with it.
        var filler = await budget.ReserveAsync("gpt-4o", 1m - worst + 0.000001m);
        var e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(messages, options));
        Assert.Equal(Usd(worst), Usd(e.RequestedUsd));
        await budget.SettleAsync(filler, 0m);
        await client.GetResponseAsync(messages, options);
    }

    [Fact]
    public async Task Refuses_only_when_the_remaining_budget_is_below_the_worst_case_with_a_complete_exception()
    {
        var time = Clock();
        var provider = Provider();
        var (client, budget, _) = Breaker(provider, time, o => o.DailyLimitUsd = 0.10m);
        var messages = Ask();
        var options = Gpt4o(maxOutput: 1000);
        var worst = WorstCase(messages, options, 1000);

        // Leave exactly the worst case: admitted.
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 0.10m - worst);
        await client.GetResponseAsync(messages, options);

        // Leave a nano-dollar less than the worst case: refused.
        var spent = await SpentAsync(budget, BudgetWindow.Day);
        await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 0.10m - spent - worst + 0.000000001m);
        var before = await SpentAsync(budget, BudgetWindow.Day);
        var e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(messages, options));

        Assert.IsAssignableFrom<PromptOpsLimitException>(e);
        Assert.Equal("budget.daily", e.LimitName);
        Assert.Equal(BudgetWindow.Day, e.Window);
        Assert.Equal("USD", e.Unit);
        Assert.Equal(0.10m, e.Limit);
        Assert.Equal(Usd(before), Usd(e.Current));
        Assert.Equal(Usd(worst), Usd(e.RequestedUsd));
        Assert.True(e.Current + e.RequestedUsd > e.Limit);
        Assert.Equal(TimeSpan.FromHours(14), e.RetryAfter); // 10:00 → midnight UTC
        Assert.Equal("gpt-4o", e.ModelId);
        Assert.Contains("daily budget of $0.10", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, provider.Calls); // the refused call never reached the provider
    }

    [Fact]
    public async Task A_provider_failure_releases_and_a_cancelled_call_pays_its_worst_case()
    {
        var time = Clock();
        var provider = new RecordingChatClient { Respond = (_, _, ct) => throw new HttpRequestException("provider down") };
        var (client, budget, _) = Breaker(provider, time, o => o.DailyLimitUsd = 1m);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), Gpt4o()));
        Assert.Equal(0m, await SpentAsync(budget, BudgetWindow.Day)); // the provider failed before answering: nothing billed

        // Cancelled (or timed out) once the request was sent: the provider may bill the whole answer.
        using var cts = new CancellationTokenSource();
        provider.Respond = async (_, _, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return Answer("gpt-4o", 1, 1);
        };
        var messages = Ask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync(messages, Gpt4o(), cts.Token));
        Assert.Equal(Usd(WorstCase(messages, Gpt4o(), 1000)), Usd(await SpentAsync(budget, BudgetWindow.Day)));
    }

    [Fact]
    public async Task Streaming_settles_from_the_usage_update_and_an_abandoned_stream_pays_for_what_it_received()
    {
        var time = Clock();
        var (client, budget, _) = Breaker(Provider(input: 10, output: 30), time, o => o.DailyLimitUsd = 1m);
        await foreach (var _ in client.GetStreamingResponseAsync(Ask(), Gpt4o()))
        {
        }

        Assert.Equal(Usd(10 * Gpt4oInput + 30 * Gpt4oOutput), Usd(await SpentAsync(budget, BudgetWindow.Day)));

        // A stream without usage that the caller leaves after three chunks: the counted input and the three chunks' tokens.
        var chunks = new[] { "The parcel ", "left the depot ", "this morning ", "and will arrive tomorrow." };
        var (abandoning, budget2, _) = Breaker(new StreamingProvider(chunks), time, o => o.DailyLimitUsd = 1m);
        var messages = Ask();
        var read = 0;
        await foreach (var _ in abandoning.GetStreamingResponseAsync(messages, Gpt4o()))
        {
            if (++read == 3) break;
        }

        var input = RequestTokens.Count(messages, Gpt4o(), "gpt-4o");
        var output = TokenCounters.ForModel("gpt-4o").CountTokens(string.Concat(chunks.Take(3)));
        Assert.True(output > 0);
        Assert.Equal(Usd(input * Gpt4oInput + output * Gpt4oOutput), Usd(await SpentAsync(budget2, BudgetWindow.Day)));
    }

    [Fact]
    public async Task A_stream_cancelled_before_its_first_chunk_pays_its_worst_case_and_one_that_fails_before_it_is_released()
    {
        var time = Clock();
        using var cts = new CancellationTokenSource();
        var (cancelled, budget, _) = Breaker(new StreamingProvider([], failWith: () => new OperationCanceledException(cts.Token)), time, o => o.DailyLimitUsd = 1m);
        var messages = Ask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in cancelled.GetStreamingResponseAsync(messages, Gpt4o(), cts.Token))
            {
            }
        });
        Assert.Equal(Usd(WorstCase(messages, Gpt4o(), 1000)), Usd(await SpentAsync(budget, BudgetWindow.Day)));

        var (failing, budget2, _) = Breaker(new StreamingProvider([], failWith: () => new HttpRequestException("503")), time, o => o.DailyLimitUsd = 1m);
        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var _ in failing.GetStreamingResponseAsync(messages, Gpt4o()))
            {
            }
        });
        Assert.Equal(0m, await SpentAsync(budget2, BudgetWindow.Day));

        // Failing after it started answering: what was received is paid for.
        var (broken, budget3, _) = Breaker(new StreamingProvider(["Half an answer"], failWith: () => new HttpRequestException("connection reset")), time, o => o.DailyLimitUsd = 1m);
        await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var _ in broken.GetStreamingResponseAsync(messages, Gpt4o()))
            {
            }
        });
        var input = RequestTokens.Count(messages, Gpt4o(), "gpt-4o");
        Assert.Equal(Usd(input * Gpt4oInput + TokenCounters.ForModel("gpt-4o").CountTokens("Half an answer") * Gpt4oOutput), Usd(await SpentAsync(budget3, BudgetWindow.Day)));
    }

    [Fact]
    public async Task A_call_that_reports_no_usage_pays_the_counted_input_and_its_answers_tokens()
    {
        const string Reply = "No usage was reported for this answer.";
        var provider = new RecordingChatClient { Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply))) };
        var (client, budget, _) = Breaker(provider, Clock(), o => o.DailyLimitUsd = 1m);
        var messages = Ask();
        await client.GetResponseAsync(messages, Gpt4o(500));
        var expected = RequestTokens.Count(messages, Gpt4o(500), "gpt-4o") * Gpt4oInput + TokenCounters.ForModel("gpt-4o").CountTokens(Reply) * Gpt4oOutput;
        Assert.Equal(Usd(expected), Usd(await SpentAsync(budget, BudgetWindow.Day)));
        Assert.True(expected > 0m);
    }

    [Fact]
    public async Task A_provider_that_bills_above_the_reservation_is_charged_in_full_logged_and_counted()
    {
        var provider = Provider(input: 10, output: 3000); // three times MaxOutputTokens
        var options = new CostBudgetOptions { DailyLimitUsd = 1m };
        var budget = new CostBudget(options, new InMemoryBudgetStore(), new PriceCatalog(), TimeSpan.FromMinutes(5), Clock());
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<CostBudgetChatClient>();
        using var metrics = new PromptOps.Usage.PromptOpsMetrics(meterFactory: null);
        var client = new CostBudgetChatClient(provider, budget, logger, metrics);

        await client.GetResponseAsync(Ask(), Gpt4o(1000));

        Assert.Equal(Usd(10 * Gpt4oInput + 3000 * Gpt4oOutput), Usd(await SpentAsync(budget, BudgetWindow.Day)));
        Assert.Equal(1, metrics.BudgetOverReservationCount);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.Contains("charged in full", StringComparison.Ordinal));
    }

    /// <summary>A provider that streams the given chunks (no usage), then ends or throws.</summary>
    private sealed class StreamingProvider(string[] chunks, Func<Exception>? failWith = null) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var chunk in chunks)
            {
                await Task.Yield();
                yield return new ChatResponseUpdate(ChatRole.Assistant, chunk) { ModelId = "gpt-4o" };
            }

            if (failWith is not null) throw failWith();
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task The_model_is_the_inner_clients_default_when_the_request_names_none()
    {
        var provider = new MetadataChatClient(new RecordingChatClient("ok", "gpt-4o-mini", 10, 10), "gpt-4o-mini");
        var (client, budget, _) = Breaker(provider, Clock(), o => o.DailyLimitUsd = 1m);
        await client.GetResponseAsync(Ask(), new ChatOptions { MaxOutputTokens = 10 });
        Assert.Equal(Usd(10 * 0.15m / 1_000_000m + 10 * 0.60m / 1_000_000m), Usd(await SpentAsync(budget, BudgetWindow.Day)));
    }

    [Fact]
    public async Task An_unpriced_model_is_refused_unless_allowed()
    {
        var provider = Provider();
        var (client, _, _) = Breaker(provider, Clock(), o => o.DailyLimitUsd = 1m);
        var e = await Assert.ThrowsAsync<PromptOpsLimitException>(() => client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "my-own-llm" }));
        Assert.Equal(CostBudgetChatClient.UnpricedModelLimit, e.LimitName);
        Assert.Contains("my-own-llm", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, provider.Calls);

        var (allowing, budget, _) = Breaker(provider, Clock(), o =>
        {
            o.DailyLimitUsd = 1m;
            o.AllowUnpricedModels = true;
        });
        await allowing.GetResponseAsync(Ask(), new ChatOptions { ModelId = "my-own-llm" });
        Assert.Equal(1, provider.Calls);
        Assert.Equal(0m, await SpentAsync(budget, BudgetWindow.Day));
    }

    [Fact]
    public async Task A_zero_price_model_is_exempt_only_when_configured()
    {
        static PriceCatalog Catalog()
        {
            var c = new PriceCatalog();
            c.Set(new ModelPriceInfo("llama-local", 0, 0, 0, 0, null, selfHosted: true));
            return c;
        }

        foreach (var exempt in new[] { false, true })
        {
            var time = Clock();
            var store = new InMemoryBudgetStore();
            var budget = new CostBudget(new CostBudgetOptions { DailyLimitUsd = 0.01m, ExemptZeroPriceModels = exempt }, store, Catalog(), TimeSpan.FromMinutes(5), time);
            var provider = Provider();
            using var client = new CostBudgetChatClient(provider, budget);

            // The budget is used up (by another model).
            await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 0.01m);
            await client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "llama-local" }); // $0 fits exactly: never refused by its own cost

            await budget.SettleAsync(await budget.ReserveAsync("gpt-4o", 0m), 0.000001m); // overspent by another instance's settle
            if (exempt)
            {
                await client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "llama-local" });
                Assert.Equal(2, provider.Calls);
            }
            else
            {
                var e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), new ChatOptions { ModelId = "llama-local" }));
                Assert.Equal(0m, e.RequestedUsd);
                Assert.Equal(1, provider.Calls);
            }
        }
    }

    [Fact]
    public async Task Hourly_window_rolls_over_at_the_hour()
    {
        var time = Clock(hour: 10);
        time.Advance(TimeSpan.FromMinutes(59));
        var (client, budget, _) = Breaker(Provider(input: 10, output: 1000), time, o => o.HourlyLimitUsd = 0.015m);
        await client.GetResponseAsync(Ask(), Gpt4o(1000)); // ~$0.01 of $0.015
        var e = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal("budget.hourly", e.LimitName);
        Assert.Equal(TimeSpan.FromMinutes(1), e.RetryAfter);

        time.Advance(TimeSpan.FromMinutes(1)); // 11:00
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        Assert.Equal(Usd(10 * Gpt4oInput + 1000 * Gpt4oOutput), Usd(await SpentAsync(budget, BudgetWindow.Hour)));
    }

    [Fact]
    public async Task Daily_and_monthly_windows_roll_over_at_midnight_and_the_first_of_the_month()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero));
        var (client, budget, _) = Breaker(Provider(input: 10, output: 1000), time, o =>
        {
            o.DailyLimitUsd = 0.015m;
            o.MonthlyBudgetUsd = 0.025m;
        });
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        var daily = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal(BudgetWindow.Day, daily.Window);
        Assert.Equal(TimeSpan.FromHours(1), daily.RetryAfter);

        time.Advance(TimeSpan.FromHours(1)); // 1 December: a new day and a new month
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000))); // day again

        time.Advance(TimeSpan.FromDays(1)); // 2 December: the day resets, the month does not
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
        time.Advance(TimeSpan.FromDays(1)); // 3 December: the day has room, the month ($0.0202 of $0.025) has not
        var monthly = await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        Assert.Equal("budget.monthly", monthly.LimitName);
        Assert.Equal(TimeSpan.FromDays(29), monthly.RetryAfter);
        Assert.Equal(Usd(2 * (10 * Gpt4oInput + 1000 * Gpt4oOutput)), Usd(monthly.Current));
    }

    [Fact]
    public async Task A_call_in_flight_across_the_hour_is_settled_in_the_hour_it_was_reserved_in()
    {
        var time = Clock(hour: 10);
        time.Advance(TimeSpan.FromMinutes(59));
        var gate = new TaskCompletionSource();
        var provider = new RecordingChatClient
        {
            Respond = async (_, _, _) =>
            {
                await gate.Task;
                return Answer("gpt-4o", 10, 100);
            },
        };
        var (client, budget, store) = Breaker(provider, time, o => o.HourlyLimitUsd = 1m);
        var tenOClock = CostBudget.Key(BudgetWindow.Hour, time.GetUtcNow());
        var call = client.GetResponseAsync(Ask(), Gpt4o(1000));
        time.Advance(TimeSpan.FromMinutes(2)); // 11:01, call still running
        gate.SetResult();
        await call;

        Assert.Equal(0m, await SpentAsync(budget, BudgetWindow.Hour)); // nothing leaked into 11:00
        var tenTotal = (await store.GetTotalsAsync([tenOClock], time.GetUtcNow(), default))[0];
        Assert.Equal(CostBudget.ToNanoCeiling(10 * Gpt4oInput + 100 * Gpt4oOutput), tenTotal); // 10:00 holds the real cost, not the worst case
    }

    [Fact]
    public async Task A_reservation_that_is_never_settled_expires_after_its_lease()
    {
        var time = Clock();
        var (client, budget, _) = Breaker(Provider(), time, o => o.DailyLimitUsd = 0.02m);
        _ = await budget.ReserveAsync("gpt-4o", 0.015m); // a process that reserved and died

        await Assert.ThrowsAsync<BudgetExceededException>(() => client.GetResponseAsync(Ask(), Gpt4o(1000)));
        time.Advance(TimeSpan.FromMinutes(5)); // the lease (5 minutes) ends
        await client.GetResponseAsync(Ask(), Gpt4o(1000));
    }

    [Fact]
    public async Task In_UsePromptOps_a_cache_hit_reserves_nothing()
    {
        var time = Clock();
        var provider = Provider(input: 10, output: 100);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        using var client = new ChatClientBuilder(provider).UsePromptOps(o => o.Budget.DailyLimitUsd = 0.0015m).Build(services);
        var budget = client.GetService<CostBudgetChatClient>()!.Budget;

        var first = await client.GetResponseAsync(Ask(), Gpt4o(100)); // worst ≈ $0.00104 of $0.0015
        var hit = await client.GetResponseAsync(Ask(), Gpt4o(100)); // a second provider call would not fit
        Assert.Equal(CacheLayer.Memory, hit.GetCacheLayer());
        Assert.Equal(1, provider.Calls);
        Assert.Equal(Usd(10 * Gpt4oInput + 100 * Gpt4oOutput), Usd(await SpentAsync(budget, BudgetWindow.Day)));
        Assert.NotNull(first);
    }

    [Fact]
    public void UsePromptOps_adds_no_budget_or_plan_layer_unless_configured()
    {
        using var client = new ChatClientBuilder(new RecordingChatClient()).UsePromptOps().Build();
        Assert.Null(client.GetService<CostBudgetChatClient>());
        Assert.Null(client.GetService<BudgetActionChatClient>());
        Assert.Null(client.GetService<global::PromptOps.Plans.UserPlanChatClient>());
    }

    /// <summary>A provider that reports a default model, as real provider clients do.</summary>
    private sealed class MetadataChatClient(IChatClient inner, string model) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", null, model) : base.GetService(serviceType, serviceKey);
    }
}
