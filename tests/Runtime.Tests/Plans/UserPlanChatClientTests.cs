using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PromptOps.Budgets;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Plans;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;
using static PromptOps.Tests.Budgets.BudgetTestKit;
using static PromptOps.Tests.Redis.RedisTestKit;

namespace PromptOps.Tests.Plans;

public class UserPlanChatClientTests
{
    /// <summary>A task whose own output limit (1,000) is above the plan limits under test, so the plan's clamp is what is sent.</summary>
    private const string LongTask = "translation";

    private static ChatOptions For(string user, string? task = "yes_no", string? model = null, int? maxOutput = null) =>
        new ChatOptions { ModelId = model, MaxOutputTokens = maxOutput }.WithPromptOps(new PromptOpsMetadata { UserId = user, Task = task });

    /// <summary>Plans with a high rate limit (so that only the limit under test applies) over an in-memory store.</summary>
    private static UserPlanChatClient Plans(IChatClient provider, FakeTimeProvider time, Action<UserPlanOptions>? configure = null, IUserPlanResolver? resolver = null)
    {
        var options = new UserPlanOptions { Enabled = true };
        foreach (var plan in UserPlans.All) options.Definitions[plan.Name] = new UserPlanDefinition { RequestsPerMinute = 10_000 };
        configure?.Invoke(options);
        return new UserPlanChatClient(provider, options, new InMemoryBudgetStore(), resolver, null, TimeSpan.FromMinutes(5), time);
    }

    [Fact]
    public void The_built_in_plans_are_the_design_table()
    {
        Assert.Equal(["free", "starter", "pro", "enterprise"], UserPlans.All.Select(p => p.Name));
        Assert.Equal([10, 100, 1_000, null], UserPlans.All.Select(p => p.DailyRequests));
        Assert.Equal([50_000L, 500_000L, 5_000_000L, null], UserPlans.All.Select(p => p.DailyTokens));
        Assert.Equal([2_000, 4_000, 8_000, 128_000], UserPlans.All.Select(p => p.MaxInputTokens));
        Assert.Equal([500, 2_000, 4_000, 8_000], UserPlans.All.Select(p => p.MaxOutputTokens));
        Assert.Equal([5, 20, 60, 300], UserPlans.All.Select(p => p.RequestsPerMinute));
        Assert.Equal(["gpt-4o-mini"], UserPlans.Free.AllowedModels!);
        Assert.Equal(["gpt-4o-mini", "claude-haiku"], UserPlans.Starter.AllowedModels!);
        Assert.Equal(["gpt-4o-mini", "claude-haiku", "gpt-4o", "gpt-4.1", "claude-sonnet"], UserPlans.Pro.AllowedModels!);
        Assert.Null(UserPlans.Enterprise.AllowedModels);
    }

    [Fact]
    public async Task A_request_naming_a_task_gets_the_tasks_output_limit_before_the_plan_clamps_it()
    {
        var time = Clock();
        var provider = Provider(input: 10, output: 5);
        using var client = Plans(provider, time, o => o.Users["alice"] = "free");

        await client.GetResponseAsync(Ask(), For("alice", task: "classification"));  // task limit 10, below the plan's 500
        await client.GetResponseAsync(Ask(), For("alice", task: "translation"));     // task limit 1,000, clamped to 500
        await client.GetResponseAsync(Ask(), For("alice", task: null, model: "gpt-4o-mini")); // no task: the plan's 500

        Assert.Equal([10, 500, 500], provider.Received.Select(r => r.Options!.MaxOutputTokens));
    }

    [Fact]
    public async Task A_truncation_retry_never_asks_for_more_output_than_the_plan_allows()
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "cut"))
        {
            ModelId = "gpt-4o-mini",
            FinishReason = ChatFinishReason.Length,
            Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = o!.MaxOutputTokens },
        });
        using var client = Plans(new PromptOps.Truncation.TruncationChatClient(provider), Clock(), o => o.Users["alice"] = "free"); // free: 500 output tokens

        ChatOptions Retrying(int limit) => new ChatOptions { MaxOutputTokens = limit }
            .WithPromptOps(new PromptOpsMetadata { UserId = "alice", Task = "yes_no", OnTruncation = TruncationPolicy.Retry });
        await client.GetResponseAsync(Ask(), Retrying(300)); // 600 → capped at the plan's 500
        await client.GetResponseAsync(Ask(), Retrying(500)); // at the plan's limit: no retry

        Assert.Equal([300, 500, 500], provider.Received.Select(r => r.Options!.MaxOutputTokens));
    }

    [Fact]
    public async Task Without_any_output_limit_the_daily_token_reservation_includes_the_default_output_size()
    {
        // A plan with no MaxOutputTokens and a request with none: the reservation used to be the input alone, so a
        // 2,000-token daily limit let through answers of any length (82,120 tokens were billed).
        var time = Clock();
        var provider = Provider(input: 10, output: 1_500);
        using var client = Plans(provider, time, o =>
        {
            o.Definitions["team"] = new UserPlanDefinition { DailyTokens = 2_000, RequestsPerMinute = 10_000 };
            o.Users["alice"] = "team";
        });

        await client.GetResponseAsync(Ask(), For("alice", task: null)); // reserves input + 500, settles 1,510
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), For("alice", task: null)));
        Assert.Equal(PlanLimitException.DailyTokens, e.LimitName);
        Assert.Equal(1_510m, e.Current);
        Assert.Equal(1, provider.Calls);

        // The reservation is input + the default: a limit below that refuses the first request.
        var input = RequestTokens.Count(Ask(), For("bob", task: null), null);
        using var small = Plans(Provider(), time, o =>
        {
            o.Definitions["tiny"] = new UserPlanDefinition { DailyTokens = 400, RequestsPerMinute = 10_000 };
            o.Users["bob"] = "tiny";
        });
        e = await Assert.ThrowsAsync<PlanLimitException>(() => small.GetResponseAsync(Ask(), For("bob", task: null)));
        Assert.Contains($"this request may use {input + 500}", e.Message, StringComparison.Ordinal);

        // The default is configurable, and the request's own limit still wins when set.
        using var configured = Plans(Provider(), time, o =>
        {
            o.Definitions["tiny"] = new UserPlanDefinition { DailyTokens = 400, RequestsPerMinute = 10_000 };
            o.Users["bob"] = "tiny";
            o.DefaultMaxOutputTokens = 100;
        });
        await configured.GetResponseAsync(Ask(), For("bob", task: null));
        using var own = Plans(Provider(), time, o =>
        {
            o.Definitions["tiny"] = new UserPlanDefinition { DailyTokens = 400, RequestsPerMinute = 10_000 };
            o.Users["bob"] = "tiny";
        });
        await own.GetResponseAsync(Ask(), For("bob", task: null, maxOutput: 50));
        Assert.Contains(new UserPlanOptions { DefaultMaxOutputTokens = 0 }.GetErrors(), m => m.Contains("DefaultMaxOutputTokens must be positive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Daily_requests_are_limited_per_user_and_reset_at_midnight()
    {
        var time = Clock(hour: 22);
        var provider = Provider();
        using var client = Plans(provider, time);
        for (var i = 0; i < 10; i++) await client.GetResponseAsync(Ask($"q{i}"), For("alice"));

        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), For("alice")));
        Assert.IsAssignableFrom<PromptOpsLimitException>(e);
        Assert.Equal(PlanLimitException.DailyRequests, e.LimitName);
        Assert.Equal(10m, e.Current);
        Assert.Equal(10m, e.Limit);
        Assert.Equal("requests", e.Unit);
        Assert.Equal(TimeSpan.FromHours(2), e.RetryAfter);
        Assert.Equal("alice", e.UserId);
        Assert.Equal("free", e.PlanName);
        Assert.Contains("alice", e.Message, StringComparison.Ordinal);

        await client.GetResponseAsync(Ask(), For("bob")); // another user has a quota of its own
        time.Advance(TimeSpan.FromHours(2));
        await client.GetResponseAsync(Ask(), For("alice"));
        Assert.Equal(12, provider.Calls);
    }

    [Fact]
    public async Task The_ambient_user_is_limited_even_without_options_or_metadata()
    {
        var time = Clock(hour: 9);
        var provider = Provider();
        using var client = Plans(new DefaultModelClient(provider, "gpt-4o-mini"), time); // the free plan's model
        using (PromptOpsContext.BeginUser("dora"))
        {
            for (var i = 0; i < 10; i++) await client.GetResponseAsync(Ask($"q{i}")); // no ChatOptions at all
            var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), new ChatOptions()));
            Assert.Equal(PlanLimitException.DailyRequests, e.LimitName);
            Assert.Equal("dora", e.UserId);
        }

        await client.GetResponseAsync(Ask()); // outside the scope: no user, not subject to plans
        Assert.Equal(11, provider.Calls);
    }

    [Fact]
    public async Task Failed_calls_do_not_count_against_daily_requests()
    {
        var provider = new RecordingChatClient { Respond = (_, _, _) => throw new HttpRequestException("down") };
        using var client = Plans(provider, Clock());
        for (var i = 0; i < 12; i++) await Assert.ThrowsAsync<HttpRequestException>(() => client.GetResponseAsync(Ask(), For("alice")));
        provider.Respond = (_, o, _) => Task.FromResult(Answer(o!.ModelId ?? "gpt-4o-mini", 1, 1));
        await client.GetResponseAsync(Ask(), For("alice")); // the free plan allows 10 a day: the 13th call would be refused
        Assert.Equal(13, provider.Calls);
    }

    [Fact]
    public async Task Daily_tokens_reserve_input_plus_max_output_and_settle_the_billed_tokens()
    {
        var time = Clock();
        var provider = Provider(input: 100, output: 200);
        using var client = Plans(provider, time, o => o.Definitions["free"].DailyTokens = 1_000);
        var messages = Ask();
        var worst = RequestTokens.Count(messages, For("alice", LongTask), "gpt-4o-mini") + 500; // output clamped to free's 500

        await client.GetResponseAsync(messages, For("alice", LongTask)); // 300 billed
        await client.GetResponseAsync(messages, For("alice", LongTask)); // 600 billed; 600 + worst > 1,000
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(messages, For("alice", LongTask)));
        Assert.Equal(PlanLimitException.DailyTokens, e.LimitName);
        Assert.Equal(600m, e.Current);
        Assert.Equal(1_000m, e.Limit);
        Assert.Equal("tokens", e.Unit);
        Assert.Contains($"may use {worst}", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, provider.Calls);
    }

    [Fact]
    public async Task Cache_hits_count_as_requests_but_bill_no_tokens()
    {
        var time = Clock();
        var provider = Provider(input: 100, output: 200);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        using var client = new ChatClientBuilder(provider).UsePromptOps(o =>
        {
            o.Plans.Enabled = true;
            o.Plans.Definitions["free"] = new UserPlanDefinition { DailyTokens = 1_000, DailyRequests = 5, RequestsPerMinute = 1_000 };
        }).Build(services);

        for (var i = 0; i < 5; i++) await client.GetResponseAsync(Ask(), For("alice")); // one provider call, four hits
        Assert.Equal(1, provider.Calls);
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), For("alice")));
        Assert.Equal(PlanLimitException.DailyRequests, e.LimitName); // tokens (300 of 1,000) would still fit
    }

    [Fact]
    public async Task An_input_longer_than_the_plan_allows_is_refused_without_a_retry_time()
    {
        var provider = Provider();
        using var client = Plans(provider, Clock());
        var longText = string.Join(' ', Enumerable.Repeat("budget", 2_100));
        var messages = Ask(longText);
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(messages, For("alice")));
        Assert.Equal(PlanLimitException.MaxInputTokens, e.LimitName);
        Assert.Equal(RequestTokens.Count(messages, For("alice"), "gpt-4o-mini"), (int)e.Current);
        Assert.Equal(2_000m, e.Limit);
        Assert.Null(e.RetryAfter);
        Assert.Equal(0, provider.Calls);

        using var pro = Plans(provider, Clock(), o => o.DefaultPlan = "pro"); // 8,000 tokens
        await pro.GetResponseAsync(messages, For("alice"));
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task MaxOutputTokens_is_clamped_to_the_plan_without_changing_the_callers_options()
    {
        var provider = Provider();
        using var client = Plans(provider, Clock());
        var big = For("alice", maxOutput: 2_000);
        await client.GetResponseAsync(Ask(), big);
        await client.GetResponseAsync(Ask(), For("alice", LongTask, maxOutput: null));
        await client.GetResponseAsync(Ask(), For("alice", maxOutput: 100));
        Assert.Equal([500, 500, 100], provider.Received.Select(r => r.Options!.MaxOutputTokens));
        Assert.Equal(2_000, big.MaxOutputTokens);
    }

    [Fact]
    public async Task An_explicit_model_outside_the_plan_is_refused_and_a_tier_is_lowered_to_one_the_plan_includes()
    {
        var time = Clock();
        var provider = Provider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        using var client = new ChatClientBuilder(provider).UsePromptOps(o =>
        {
            o.Plans.Enabled = true;
            o.Plans.Users["paula"] = "pro";
            o.Cache.Enabled = false;
        }).Build(services);

        var e = await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), For("alice", model: "gpt-4o")));
        Assert.Equal(PlanLimitException.Models, e.LimitName);
        Assert.Equal("gpt-4o", e.ModelId);
        Assert.Null(e.RetryAfter);
        Assert.Contains("gpt-4o-mini", e.Message, StringComparison.Ordinal);

        await client.GetResponseAsync(Ask(), For("alice", model: "gpt-4o-mini-2024-07-18")); // a dated id of an included model
        await client.GetResponseAsync(Ask(), For("alice", task: "analysis")); // high_quality → fast_cheap for free
        await client.GetResponseAsync(Ask(), For("paula", task: "analysis")); // high_quality: gpt-4.1, in pro
        await client.GetResponseAsync(Ask(), For("paula", task: "creative_writing")); // best: claude-sonnet-4-5, in pro as claude-sonnet
        Assert.Equal(["gpt-4o-mini-2024-07-18", "gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5"], provider.Received.Select(r => r.Options!.ModelId));
    }

    [Fact]
    public async Task Without_a_model_or_tier_the_inner_clients_default_model_is_checked()
    {
        var provider = Provider();
        using var withDefault = Plans(new DefaultModelClient(provider, "gpt-4o"), Clock());
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => withDefault.GetResponseAsync(Ask(), For("alice", task: null)));
        Assert.Equal("gpt-4o", e.ModelId);

        using var unknown = Plans(provider, Clock());
        var e2 = await Assert.ThrowsAsync<PlanLimitException>(() => unknown.GetResponseAsync(Ask(), For("alice", task: null)));
        Assert.Equal(PlanLimitException.Models, e2.LimitName);
        Assert.Null(e2.ModelId);

        using var mini = Plans(new DefaultModelClient(provider, "gpt-4o-mini"), Clock());
        await mini.GetResponseAsync(Ask(), For("alice", task: null));
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task Requests_per_minute_are_limited_per_user_with_a_retry_time()
    {
        var provider = Provider();
        using var client = new UserPlanChatClient(provider, new UserPlanOptions { Enabled = true, RateLimitWindow = TimeSpan.FromHours(1) }, timeProvider: Clock());
        for (var i = 0; i < 5; i++) await client.GetResponseAsync(Ask(), For("alice"));

        var e = await Assert.ThrowsAsync<RateLimitExceededException>(() => client.GetResponseAsync(Ask(), For("alice")));
        Assert.IsAssignableFrom<PromptOpsLimitException>(e);
        Assert.Equal(RateLimitExceededException.Name, e.LimitName);
        Assert.Equal(5m, e.Limit);
        Assert.Equal("requests", e.Unit);
        Assert.Equal("alice", e.UserId);
        Assert.Equal("free", e.PlanName);
        Assert.NotNull(e.RetryAfter);
        Assert.True(e.RetryAfter > TimeSpan.Zero && e.RetryAfter <= TimeSpan.FromMinutes(12), $"{e.RetryAfter}"); // one token per hour / 5

        await client.GetResponseAsync(Ask(), For("bob"));
        Assert.Equal(6, provider.Calls);
    }

    [Fact]
    public async Task The_rate_limit_admits_again_once_a_token_is_replenished()
    {
        var provider = Provider();
        using var client = new UserPlanChatClient(provider, new UserPlanOptions { Enabled = true, RateLimitWindow = TimeSpan.FromMilliseconds(300) }, timeProvider: Clock());
        // The bucket refills on the real clock (System.Threading.RateLimiting has no TimeProvider), so a slow machine
        // may refill it during the first five calls: send until the limiter refuses (it must, within 50 requests).
        var refused = false;
        for (var i = 0; i < 50 && !refused; i++)
        {
            try
            {
                await client.GetResponseAsync(Ask(), For("alice"));
            }
            catch (RateLimitExceededException)
            {
                refused = true;
            }
        }

        Assert.True(refused);

        // Poll (bounded) until a permit is free again.
        var admitted = await EventuallyAsync(async () =>
        {
            try
            {
                await client.GetResponseAsync(Ask(), For("alice"));
                return true;
            }
            catch (RateLimitExceededException)
            {
                return false;
            }
        }, pause: TimeSpan.FromMilliseconds(50));
        Assert.True(admitted);
    }

    [Fact]
    public async Task Requests_without_a_user_pass_unless_a_user_is_required()
    {
        var provider = Provider();
        using var open = Plans(provider, Clock());
        for (var i = 0; i < 12; i++) await open.GetResponseAsync(Ask(), new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 4_000 });
        Assert.Equal(4_000, provider.Received[^1].Options!.MaxOutputTokens);

        using var strict = Plans(provider, Clock(), o => o.RequireUserId = true);
        var e = await Assert.ThrowsAsync<PlanLimitException>(() => strict.GetResponseAsync(Ask(), new ChatOptions()));
        Assert.Equal(PlanLimitException.UserRequired, e.LimitName);
        Assert.Null(e.UserId);
    }

    [Fact]
    public async Task Plans_come_from_the_resolver_then_the_users_map_then_the_default_and_can_be_defined()
    {
        var provider = Provider();
        using var client = Plans(provider, Clock(), o =>
        {
            o.Users["uma"] = "team";
            o.DefaultPlan = "starter";
            o.Definitions["team"] = new UserPlanDefinition { Models = ["*"], MaxOutputTokens = 123 };
            o.Definitions["pro"].MaxOutputTokens = 3_000;
        }, new Resolver(new Dictionary<string, string> { ["rita"] = "pro" }));

        Assert.Equal("pro", (await client.GetPlanAsync("rita")).Name);
        Assert.Equal("team", (await client.GetPlanAsync("uma")).Name);
        Assert.Equal("starter", (await client.GetPlanAsync("someone")).Name);
        Assert.Equal(3_000, client.Plans["pro"].MaxOutputTokens);
        Assert.Equal(1_000, client.Plans["pro"].DailyRequests); // unchanged values are kept

        await client.GetResponseAsync(Ask(), For("uma", LongTask, model: "claude-opus")); // team allows every model
        Assert.Equal(123, provider.Received[^1].Options!.MaxOutputTokens);
        await Assert.ThrowsAsync<PlanLimitException>(() => client.GetResponseAsync(Ask(), For("someone", model: "gpt-4o")));
    }

    [Fact]
    public async Task Streaming_counts_tokens_from_the_usage_update()
    {
        var provider = Provider(input: 100, output: 200);
        using var client = Plans(provider, Clock(), o => o.Definitions["free"].DailyTokens = 1_000);
        for (var i = 0; i < 2; i++)
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Ask(), For("alice", LongTask)))
            {
            }
        }

        var e = await Assert.ThrowsAsync<PlanLimitException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync(Ask(), For("alice", LongTask)))
            {
            }
        });
        Assert.Equal(600m, e.Current);
    }

    private sealed class Resolver(Dictionary<string, string> plans) : IUserPlanResolver
    {
        public ValueTask<string?> GetPlanNameAsync(string userId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(plans.TryGetValue(userId, out var p) ? p : null);
    }

    private sealed class DefaultModelClient(IChatClient inner, string model) : DelegatingChatClient(inner)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("test", null, model) : base.GetService(serviceType, serviceKey);
    }
}
