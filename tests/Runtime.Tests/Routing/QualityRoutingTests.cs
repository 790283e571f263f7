using Microsoft.Extensions.AI;
using PromptOps.Knowledge;
using PromptOps.Pricing;
using PromptOps.Routing;
using PromptOps.Tests.Infrastructure;

namespace PromptOps.Tests.Routing;

public class QualityRoutingTests
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "hi")];

    private static QualityRouter AllModels() =>
        new(new TierRoutingOptions { Candidates = [.. ModelQuality.Defaults.Select(kv => kv.Key)] }, new PriceCatalog());

    [Theory]
    [InlineData(50, "gemini-2.5-flash-lite")]  // the cheapest of all (tied on price with higher quality)
    [InlineData(59, "gpt-4o-mini")]
    [InlineData(61, "gpt-5-mini")]
    [InlineData(73, "gpt-5")]
    [InlineData(88, "claude-sonnet-4-5")]
    [InlineData(92, "claude-opus-4-5")]
    public void The_cheapest_model_that_meets_the_quality_is_chosen(int quality, string model) =>
        Assert.Equal(model, AllModels().Select(quality).Model);

    [Fact]
    public void Budget_sensitivity_trades_price_for_quality()
    {
        var router = AllModels();
        Assert.Equal("gpt-4o-mini", router.Select(60, BudgetSensitivity.High).Model);
        Assert.Equal("gpt-5-mini", router.Select(60, BudgetSensitivity.Medium).Model); // 72 >= 60 + 5
        Assert.Equal("claude-opus-4-5", router.Select(60, BudgetSensitivity.Low).Model);
        Assert.Equal("claude-opus-4-5", router.Select(95, BudgetSensitivity.Medium).Model); // no margin available: the cheapest that meets it
    }

    [Fact]
    public void Nothing_meets_the_bar_gives_the_best_candidate() => Assert.Equal("claude-opus-4-5", AllModels().Select(99).Model);

    [Fact]
    public void Candidates_are_ordered_by_blended_price()
    {
        var prices = AllModels().Candidates.Select(c => c.BlendedPricePerMillion).ToList();
        Assert.Equal(prices.Order(), prices);
        Assert.Equal((3 * 0.15m + 0.60m) / 4, AllModels().Candidates.Single(c => c.Model == "gpt-4o-mini").BlendedPricePerMillion);
    }

    [Fact]
    public async Task The_router_uses_MinQuality_over_the_tier_and_the_tier_models_are_the_default_candidates()
    {
        var provider = new RecordingChatClient();
        using var router = new TierRoutingChatClient(provider);
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { Tier = ModelTier.Best, MinQuality = 80 }));
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { MinQuality = 50 }));
        await router.GetResponseAsync(Messages, new ChatOptions { ModelId = "mine" }.WithPromptOps(new PromptOpsMetadata { MinQuality = 50 }));
        // Default candidates are the four tier models; gemini is not one of them.
        Assert.Equal(["gpt-4.1", "gpt-4o-mini", "mine"], provider.Received.Select(r => r.Options!.ModelId));
    }

    [Fact]
    public async Task Configured_quality_scores_override_the_defaults()
    {
        var provider = new RecordingChatClient();
        var options = new TierRoutingOptions { Quality = { ["gpt-4o-mini"] = 90 } };
        using var router = new TierRoutingChatClient(provider, options);
        await router.GetResponseAsync(Messages, new ChatOptions().WithPromptOps(new PromptOpsMetadata { MinQuality = 85 }));
        Assert.Equal("gpt-4o-mini", provider.Received.Single().Options!.ModelId);
    }

    [Fact]
    public void Bad_quality_options_are_reported_by_name()
    {
        var options = new TierRoutingOptions { Quality = { ["gpt-4o"] = 120 }, Candidates = ["my-model", " "] };
        var errors = options.GetErrors().ToList();
        Assert.Contains(errors, e => e.Contains("Quality:gpt-4o is 120", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'my-model' has no quality score", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("empty model id", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_without_models_are_refused_with_a_message_not_a_null_reference()
    {
        var e = Assert.Throws<ArgumentException>(() => new TierRoutingChatClient(new RecordingChatClient(), new TierRoutingOptions { Models = null! }));
        Assert.Contains("PromptOps:Routing:Models is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candidate_without_a_price_is_refused_by_name()
    {
        var options = new TierRoutingOptions { Quality = { ["my-model"] = 70 }, Candidates = ["my-model"] };
        var e = Assert.Throws<ArgumentException>(() => new QualityRouter(options, new PriceCatalog()));
        Assert.Contains("'my-model' has no price", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_scored_model_is_priced_every_tier_default_meets_its_floor_and_the_tier_floors_rise()
    {
        var catalog = new PriceCatalog();
        foreach (var (model, _) in ModelQuality.Defaults) Assert.True(catalog.GetExact(model) is not null, model);
        foreach (var tier in ModelTiers.All) Assert.True(ModelQuality.GetDefault(ModelTiers.GetDefaultModel(tier)) >= ModelQuality.MinimumForTier(tier), ModelTiers.GetName(tier));
        Assert.Equal(70, ModelQuality.GetDefault("claude-haiku")); // an alias has its model's score
        var floors = ModelTiers.All.Select(ModelQuality.MinimumForTier).ToList();
        Assert.Equal(floors.Order(), floors);
        foreach (var tier in ModelTiers.All) Assert.True(ModelQuality.GetDefault(ModelTiers.GetDefaultModel(tier)) >= ModelQuality.MinimumForTier(tier));
    }
}
