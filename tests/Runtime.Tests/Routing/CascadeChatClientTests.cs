using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Caching;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;
using PromptOps.Usage;

namespace PromptOps.Tests.Routing;

public class CascadeChatClientTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "Classify: I love it")];

    // Answers by model: the cheap models say "maybe", the others "positive".
    private static RecordingChatClient Provider(params string[] goodModels)
    {
        var provider = new RecordingChatClient();
        provider.Respond = (_, o, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, goodModels.Contains(o!.ModelId) ? "positive" : "maybe"))
        {
            ModelId = o.ModelId,
            Usage = new UsageDetails { InputTokenCount = 100, OutputTokenCount = 5, TotalTokenCount = 105 },
        });
        return provider;
    }

    private static ChatOptions Judged() => new ChatOptions().WithCascade(CascadeEvaluators.OneOf("positive", "negative"));

    [Fact]
    public async Task A_passing_cheap_answer_costs_one_call()
    {
        var provider = Provider("gpt-4o-mini");
        using var cascade = new CascadeChatClient(provider);
        var response = await cascade.GetResponseAsync(Messages, Judged());
        Assert.Equal(1, provider.Calls);
        Assert.Equal(0, response.GetCascadeLevel());
        Assert.Equal(105, response.Usage!.TotalTokenCount);
    }

    [Fact]
    public async Task It_escalates_tier_by_tier_until_an_answer_passes()
    {
        var provider = Provider("gpt-4.1");
        using var cascade = new CascadeChatClient(provider);
        var response = await cascade.GetResponseAsync(Messages, Judged());

        Assert.Equal(["gpt-4o-mini", "claude-haiku-4-5", "gpt-4.1"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Equal("positive", response.Text);
        Assert.Equal(2, response.GetCascadeLevel());
        var attempts = response.GetCascadeAttempts()!;
        Assert.Equal([false, false, true], attempts.Select(a => a.Passed));
        Assert.Equal([ModelTier.FastCheap, ModelTier.Balanced, ModelTier.HighQuality], attempts.Select(a => a.Tier!.Value));
        Assert.Contains("'maybe' is not one of", attempts[0].Reason, StringComparison.Ordinal);
        Assert.Equal(300, response.Usage!.InputTokenCount);
        // The request's evaluator never reaches the layers below (a reply escalation there would defer to a cascade that is not below it).
        Assert.All(provider.Received, r => Assert.Null(r.Options.GetPromptOps()?.CascadeEvaluator));
    }

    [Fact]
    public async Task The_evaluator_travels_in_the_requests_metadata_and_the_rest_of_it_reaches_the_levels()
    {
        // One request contract: WithCascade keeps what the metadata already said, before or after it is set.
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { PromptId = "Reviews.Classify", UserId = "u1" }).WithCascade(CascadeEvaluators.OneOf("positive"));
        Assert.Equal("Reviews.Classify", options.GetPromptOps()!.PromptId);
        Assert.NotNull(options.GetPromptOps()!.CascadeEvaluator);
        Assert.Single(options.AdditionalProperties!); // no second key
        var otherOrder = new ChatOptions().WithCascade(CascadeEvaluators.OneOf("positive")).WithPromptOps(new PromptOpsMetadata { PromptId = "Reviews.Classify" });
        Assert.NotNull(otherOrder.GetPromptOps()!.CascadeEvaluator);

        var provider = Provider("gpt-4.1");
        using var cascade = new CascadeChatClient(provider);
        var response = await cascade.GetResponseAsync(Messages, options);
        Assert.Equal(2, response.GetCascadeLevel());
        Assert.All(provider.Received, r => Assert.Equal(("Reviews.Classify", "u1"), (r.Options.GetPromptOps()!.PromptId, r.Options.GetPromptOps()!.UserId)));
        Assert.NotNull(options.GetPromptOps()!.CascadeEvaluator); // the caller's options are not changed
    }

    [Fact]
    public async Task When_no_level_passes_the_last_answer_returns_or_it_throws_when_asked()
    {
        var provider = Provider();
        using var cascade = new CascadeChatClient(provider, new CascadeOptions { Levels = ["fast_cheap", "best"] });
        var response = await cascade.GetResponseAsync(Messages, Judged());
        Assert.Equal("claude-sonnet-4-5", response.ModelId);
        Assert.False(response.GetCascadeAttempts()![^1].Passed);

        using var strict = new CascadeChatClient(provider, new CascadeOptions { Levels = ["fast_cheap", "best"], ThrowWhenNoLevelPasses = true });
        var e = await Assert.ThrowsAsync<CascadeExhaustedException>(() => strict.GetResponseAsync(Messages, Judged()));
        Assert.Equal(2, e.Attempts.Count);
        Assert.Contains("level 1 (claude-sonnet-4-5)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_without_an_evaluator_or_with_an_explicit_model_pass_through()
    {
        var provider = Provider();
        using var cascade = new CascadeChatClient(provider);
        var plain = await cascade.GetResponseAsync(Messages, new ChatOptions());
        var explicitModel = await cascade.GetResponseAsync(Messages, Judged().Also(o => o.ModelId = "gpt-4.1"));
        Assert.Equal(2, provider.Calls);
        Assert.Null(plain.GetCascadeAttempts());
        Assert.Null(explicitModel.GetCascadeAttempts());
        Assert.Equal("gpt-4.1", provider.Received[1].Options!.ModelId);
        Assert.Null(provider.Received[1].Options.GetPromptOps()?.CascadeEvaluator);
    }

    [Fact]
    public async Task A_default_evaluator_cascades_every_request_and_levels_may_be_model_ids()
    {
        var provider = Provider("my-big-model");
        using var cascade = new CascadeChatClient(provider, new CascadeOptions
        {
            Levels = ["fast_cheap", "my-big-model"],
            DefaultEvaluator = CascadeEvaluators.OneOf("positive"),
        });
        var response = await cascade.GetResponseAsync(Messages);
        Assert.Equal(["gpt-4o-mini", "my-big-model"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Null(response.GetCascadeAttempts()![1].Tier);
    }

    [Fact]
    public async Task It_can_start_at_the_requests_tier()
    {
        var provider = Provider("claude-sonnet-4-5");
        using var cascade = new CascadeChatClient(provider, new CascadeOptions { StartAtRequestTier = true });
        var response = await cascade.GetResponseAsync(Messages, Judged().WithPromptOps(new PromptOpsMetadata { Task = "analysis" }));
        Assert.Equal(["gpt-4.1", "claude-sonnet-4-5"], provider.Received.Select(r => r.Options!.ModelId));
        Assert.Equal(3, response.GetCascadeLevel()); // levels keep their numbers
        await cascade.GetResponseAsync(Messages, Judged()); // no tier: from the cheapest
        Assert.Equal("gpt-4o-mini", provider.Received[2].Options!.ModelId);
    }

    [Fact]
    public async Task A_streamed_cascade_is_judged_whole_and_carries_its_attempts_on_the_last_update()
    {
        var provider = Provider("claude-haiku-4-5");
        using var cascade = new CascadeChatClient(provider);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in cascade.GetStreamingResponseAsync(Messages, Judged())) updates.Add(u);
        Assert.Equal("positive", updates.ToChatResponse().Text);
        Assert.Equal(2, updates[^1].GetCascadeAttempts()!.Count);
    }

    [Fact]
    public void Bad_options_are_reported_by_name()
    {
        Assert.Contains("Levels is null", Assert.Single(new CascadeOptions { Levels = null! }.GetErrors()), StringComparison.Ordinal);
        Assert.Equal(["fast_cheap", "balanced", "high_quality", "best"], new CascadeOptions().EffectiveLevels);
        Assert.Contains("'fast_cheap' more than once", Assert.Single(new CascadeOptions { Levels = ["fast_cheap", "FastCheap"] }.GetErrors()), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => new CascadeChatClient(new RecordingChatClient(), new CascadeOptions { Levels = ["gpt-4.1", " "] }));
        Assert.Contains("Levels:1 is empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_meter_prices_each_attempt_at_its_model()
    {
        var sink = new InMemoryUsageSink();
        var provider = Provider("gpt-4.1");
        using var client = new ChatClientBuilder(provider).UseUsageMeter().UseCascade()
            .Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());
        var response = await client.GetResponseAsync(Messages, Judged());

        var prices = new PriceCatalog();
        var expected = new[] { "gpt-4o-mini", "claude-haiku-4-5", "gpt-4.1" }.Sum(m => prices.Cost(m, 100, 0, 5).Usd!.Value);
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(expected, record.CostUsd);
        Assert.Equal(0m, record.CostSavedUsd);
        Assert.Equal(300, record.InputTokens);
        Assert.Equal(15, record.OutputTokens);
        Assert.Equal("gpt-4.1", record.ModelId);
        Assert.Equal(3, record.Attempts!.Count);
        Assert.NotEqual(prices.Cost("gpt-4.1", 300, 0, 15).Usd, record.CostUsd); // not everything at the answering model's price
    }

    [Fact]
    public async Task The_meter_prices_each_attempt_of_a_streamed_cascade()
    {
        var sink = new InMemoryUsageSink();
        var provider = Provider("claude-haiku-4-5");
        using var client = new ChatClientBuilder(provider).UseUsageMeter().UseCascade()
            .Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());
        await foreach (var _ in client.GetStreamingResponseAsync(Messages, Judged()))
        {
        }

        var prices = new PriceCatalog();
        var record = Assert.Single(sink.Snapshot());
        Assert.True(record.Streaming);
        Assert.Equal(2, record.Attempts!.Count);
        Assert.Equal(prices.Cost("gpt-4o-mini", 100, 0, 5).Usd!.Value + prices.Cost("claude-haiku-4-5", 100, 0, 5).Usd!.Value, record.CostUsd);
    }

    [Fact]
    public async Task Cached_attempts_count_as_saved_and_paid_ones_as_spent()
    {
        var sink = new InMemoryUsageSink();
        var provider = Provider("claude-haiku-4-5");
        using var client = new ChatClientBuilder(provider).UseUsageMeter().UseCascade().UsePromptCache()
            .Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());
        await client.GetResponseAsync(Messages, Judged());
        var second = await client.GetResponseAsync(Messages, Judged());

        Assert.Equal(2, provider.Calls); // the second cascade is served by the cache at both levels
        Assert.All(second.GetCascadeAttempts()!, a => Assert.Equal(CacheLayer.Memory, a.CacheLayer));
        var prices = new PriceCatalog();
        var both = prices.Cost("gpt-4o-mini", 100, 0, 5).Usd!.Value + prices.Cost("claude-haiku-4-5", 100, 0, 5).Usd!.Value;
        var records = sink.Snapshot();
        Assert.Equal(both, records[0].CostUsd);
        Assert.Equal(0m, records[1].CostUsd);
        Assert.Equal(both, records[1].CostSavedUsd);
    }

    [Fact]
    public async Task A_later_level_that_throws_still_bills_the_earlier_levels()
    {
        var sink = new InMemoryUsageSink();
        var provider = Provider();
        var inner = provider.Respond;
        provider.Respond = (m, o, ct) => o!.ModelId == "claude-haiku-4-5" ? throw new InvalidOperationException("down") : inner(m, o, ct);
        using var client = new ChatClientBuilder(provider).UseUsageMeter().UseCascade()
            .Build(new ServiceCollection().AddSingleton<IUsageSink>(sink).BuildServiceProvider());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync(Messages, Judged()));
        Assert.Single(e.GetCascadeAttempts()!);
        var record = Assert.Single(sink.Snapshot());
        Assert.Equal(UsageOutcome.Failed, record.Outcome);
        Assert.Equal(new PriceCatalog().Cost("gpt-4o-mini", 100, 0, 5).Usd, record.CostUsd);
    }
}

internal static class ChatOptionsTestExtensions
{
    public static ChatOptions Also(this ChatOptions options, Action<ChatOptions> change)
    {
        change(options);
        return options;
    }
}
