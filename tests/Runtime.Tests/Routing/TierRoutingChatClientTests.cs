using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Routing;

public class TierRoutingChatClientTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "hi")];

    [Theory]
    [InlineData(ModelTier.FastCheap, "gpt-4o-mini")]
    [InlineData(ModelTier.Balanced, "claude-haiku-4-5")]
    [InlineData(ModelTier.HighQuality, "gpt-4.1")]
    [InlineData(ModelTier.Best, "claude-sonnet-4-5")]
    public async Task Tier_routes_to_the_default_model(ModelTier tier, string model)
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = tier }));
        Assert.Equal(model, provider.Received.Single().Options!.ModelId);
    }

    [Fact]
    public async Task Task_tier_applies_when_no_tier_is_given_and_an_explicit_tier_wins_over_it()
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification" }));
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification", Tier = ModelTier.Best }));
        Assert.Equal(["gpt-4o-mini", "claude-sonnet-4-5"], provider.Received.Select(r => r.Options!.ModelId));
    }

    [Fact]
    public async Task An_explicit_model_id_wins_and_requests_without_tier_pass_unchanged()
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        var explicitModel = new ChatOptions { ModelId = "my-model" }.WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.Best });
        var plain = new ChatOptions { Temperature = 0.1f };
        await router.GetResponseAsync(Messages, explicitModel);
        await router.GetResponseAsync(Messages, plain);
        await router.GetResponseAsync(Messages);
        Assert.Same(explicitModel, provider.Received[0].Options);
        Assert.Same(plain, provider.Received[1].Options);
        Assert.Null(provider.Received[2].Options);
    }

    [Fact]
    public async Task A_request_naming_a_task_gets_the_tasks_output_limit_unless_it_set_one()
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        var raw = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "classification" });
        var own = new ChatOptions { MaxOutputTokens = 25 }.WithPromptOps(new PromptOpsMetadata { Task = "classification" });
        var alias = new ChatOptions { ModelId = "my-model" }.WithPromptOps(new PromptOpsMetadata { Task = "summarization" });
        var unknownTask = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Task = "poetry", Tier = ModelTier.Best });

        await router.GetResponseAsync(Messages, raw);
        await router.GetResponseAsync(Messages, own);
        await router.GetResponseAsync(Messages, alias);
        await router.GetResponseAsync(Messages, unknownTask);

        Assert.Equal(
            [(10, "gpt-4o-mini"), (25, "gpt-4o-mini"), (200, "my-model"), ((int?)null, "claude-sonnet-4-5")],
            provider.Received.Select(r => (r.Options!.MaxOutputTokens, r.Options.ModelId)));
        Assert.Null(raw.MaxOutputTokens); // the caller's options are not modified
        Assert.Null(alias.MaxOutputTokens);
    }

    [Fact]
    public async Task The_callers_options_are_never_modified()
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        var options = new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.FastCheap });
        await router.GetResponseAsync(Messages, options);
        Assert.Null(options.ModelId);
        Assert.NotSame(options, provider.Received.Single().Options);
    }

    [Fact]
    public async Task Configured_models_override_defaults_and_streaming_is_routed_too()
    {
        var provider = new RecordingChatClient();
        var options = new TierRoutingOptions();
        options.Models["fast-cheap"] = "llama-3-8b";
        using var router = new TierRoutingChatClient(provider, options);
        await foreach (var _ in router.GetStreamingResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.FastCheap })))
        {
        }

        Assert.Equal("llama-3-8b", provider.Received.Single().Options!.ModelId);
        Assert.Equal("claude-haiku-4-5", router.GetModel(ModelTier.Balanced));
    }

    [Fact]
    public void Unknown_tiers_and_empty_models_fail_at_construction_naming_the_value()
    {
        var unknown = new TierRoutingOptions();
        unknown.Models["premium"] = "gpt-4o";
        var e = Assert.Throws<ArgumentException>(() => new TierRoutingChatClient(new RecordingChatClient(), unknown));
        Assert.Contains("'premium'", e.Message, StringComparison.Ordinal);

        var empty = new TierRoutingOptions();
        empty.Models["best"] = " ";
        e = Assert.Throws<ArgumentException>(() => new TierRoutingChatClient(new RecordingChatClient(), empty));
        Assert.Contains("best", e.Message, StringComparison.Ordinal);
    }
}
