using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using PromptOps.Conversations;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tokens;

namespace PromptOps.Tests.Tokens;

/// <summary>
/// With budgets or plans on, building the pipeline starts loading the tokenizers they count with, so the first request
/// does not pay for it; without them nothing is loaded. Observed through a <see cref="TokenizerWarmup"/> of the test's own
/// (registered in the container), never by time.
/// </summary>
public sealed class TokenizerWarmupTests
{
    private static PromptOpsOptions Options(Action<PromptOpsOptions> configure)
    {
        var options = new PromptOpsOptions();
        configure(options);
        return options;
    }

    [Fact]
    public void Only_budgets_and_plans_need_a_tokenizer_and_only_the_routed_models_encodings()
    {
        Assert.Empty(TokenizerWarmup.EncodingsFor(new PromptOpsOptions(), hasLimitProvider: false));
        Assert.Equal(["o200k_base"], TokenizerWarmup.EncodingsFor(Options(o => o.Budget.DailyLimitUsd = 1m), hasLimitProvider: false));
        Assert.Equal(["o200k_base"], TokenizerWarmup.EncodingsFor(Options(o => o.Plans.Enabled = true), hasLimitProvider: false));
        Assert.Equal(["o200k_base"], TokenizerWarmup.EncodingsFor(new PromptOpsOptions(), hasLimitProvider: true));

        // A table of models without a local tokenizer (estimated counts) loads nothing; gpt-4 adds cl100k.
        var claude = Options(o =>
        {
            o.Budget.DailyLimitUsd = 1m;
            foreach (var tier in new[] { "fast_cheap", "balanced", "high_quality", "best" }) o.Routing.Models[tier] = "claude-haiku-4-5";
        });
        Assert.Empty(TokenizerWarmup.EncodingsFor(claude, hasLimitProvider: false));
        claude.Routing.Models["best"] = "gpt-4-turbo";
        Assert.Equal(["cl100k_base"], TokenizerWarmup.EncodingsFor(claude, hasLimitProvider: false));
    }

    [Fact]
    public async Task Building_a_pipeline_with_a_budget_loads_the_tokenizer_before_the_first_call()
    {
        var warmup = new TokenizerWarmup();
        var provider = new RecordingChatClient();
        var services = new ServiceCollection();
        services.AddSingleton(warmup);
        services.AddPromptOps(o => o.Budget.DailyLimitUsd = 1m);
        services.AddChatClient(provider).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        _ = sp.GetRequiredService<IChatClient>();

        Assert.Equal(["o200k_base"], warmup.Started);
        Assert.Equal(0, provider.Calls);
        await warmup.WhenLoaded("o200k_base")!;
        Assert.True(TiktokenTokenCounter.IsCreated("o200k_base"));
    }

    [Fact]
    public void Building_a_pipeline_without_budgets_or_plans_loads_nothing()
    {
        var warmup = new TokenizerWarmup();
        var services = new ServiceCollection();
        services.AddSingleton(warmup);
        services.AddPromptOps();
        services.AddChatClient(new RecordingChatClient()).UsePromptOps();
        using var sp = services.BuildServiceProvider();

        _ = sp.GetRequiredService<IChatClient>();

        Assert.Empty(warmup.Started);
        Assert.Null(warmup.WhenLoaded("o200k_base"));
    }

    [Fact]
    public async Task Building_a_conversation_budget_with_a_tokenizer_model_loads_that_tokenizer_and_without_one_loads_nothing()
    {
        var warmup = new TokenizerWarmup();
        var services = new ServiceCollection();
        services.AddSingleton(warmup);
        using var sp = services.BuildServiceProvider();

        using var unnamed = new ChatClientBuilder(new RecordingChatClient()).UseConversationBudget(4_000).Build(sp);
        Assert.Empty(warmup.Started); // the request's model decides, known only then

        using var named = new ChatClientBuilder(new RecordingChatClient()).UseConversationBudget(4_000, o => o.TokenizerModelId = "gpt-4-turbo").Build(sp);
        Assert.Equal(["cl100k_base"], warmup.Started);
        await warmup.WhenLoaded("cl100k_base")!;
        Assert.True(TiktokenTokenCounter.IsCreated("cl100k_base"));
    }
}
