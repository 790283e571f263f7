using PromptOps.Knowledge;

namespace PromptOps.Tests.Knowledge;

public class TaskAndTierTests
{
    [Theory]
    [InlineData("classification", 10, ModelTier.FastCheap)]
    [InlineData("sentiment", 5, ModelTier.FastCheap)]
    [InlineData("yes_no", 3, ModelTier.FastCheap)]
    [InlineData("short_answer", 50, ModelTier.Balanced)]
    [InlineData("summary", 200, ModelTier.Balanced)]
    [InlineData("summarization", 200, ModelTier.Balanced)]
    [InlineData("long_summary", 500, ModelTier.Balanced)]
    [InlineData("translation", 1000, ModelTier.Balanced)]
    [InlineData("article", 1000, ModelTier.HighQuality)]
    [InlineData("content_generation", 1000, ModelTier.HighQuality)]
    [InlineData("code_snippet", 300, ModelTier.HighQuality)]
    [InlineData("full_code", 2000, ModelTier.HighQuality)]
    [InlineData("code_generation", 2000, ModelTier.HighQuality)]
    [InlineData("analysis", 800, ModelTier.HighQuality)]
    [InlineData("contract_analysis", 800, ModelTier.Best)]
    [InlineData("creative_writing", 1000, ModelTier.Best)]
    [InlineData("Yes-No", 3, ModelTier.FastCheap)]
    [InlineData("ContractAnalysis", 800, ModelTier.Best)]
    public void Task_table_matches_the_design(string task, int maxTokens, ModelTier tier)
    {
        Assert.True(PromptTasks.TryGet(task, out var info));
        Assert.Equal(maxTokens, info.MaxOutputTokens);
        Assert.Equal(tier, info.Tier);
        Assert.Equal(maxTokens, PromptTasks.GetMaxOutputTokens(task));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("poetry")]
    public void Unknown_task_gets_the_documented_defaults(string? task)
    {
        Assert.False(PromptTasks.TryGet(task, out _));
        Assert.Equal(500, PromptTasks.GetMaxOutputTokens(task));
        Assert.Equal(ModelTier.Balanced, PromptTasks.GetTier(task));
    }

    [Fact]
    public void Unknown_task_error_names_the_value_and_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => PromptTasks.Get("clasification"));
        Assert.Contains("'clasification'", e.Message, StringComparison.Ordinal);
        Assert.Contains("classification", e.Message, StringComparison.Ordinal);
        Assert.Contains("summarization", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast_cheap", ModelTier.FastCheap, "gpt-4o-mini")]
    [InlineData("FastCheap", ModelTier.FastCheap, "gpt-4o-mini")]
    [InlineData("balanced", ModelTier.Balanced, "claude-haiku-4-5")]
    [InlineData("high-quality", ModelTier.HighQuality, "gpt-4.1")]
    [InlineData("BEST", ModelTier.Best, "claude-sonnet-4-5")]
    public void Tiers_parse_and_have_default_models(string name, ModelTier tier, string model)
    {
        Assert.Equal(tier, ModelTiers.Parse(name));
        Assert.Equal(model, ModelTiers.GetDefaultModel(tier));
        Assert.Equal(tier, ModelTiers.Parse(ModelTiers.GetName(tier)));
    }

    [Fact]
    public void Unknown_tier_error_names_the_value()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelTiers.Parse("premium"));
        Assert.Contains("'premium'", e.Message, StringComparison.Ordinal);
        Assert.Contains("fast_cheap", e.Message, StringComparison.Ordinal);
    }
}
