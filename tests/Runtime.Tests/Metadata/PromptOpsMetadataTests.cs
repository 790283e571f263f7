namespace PromptOps.Tests.Metadata;

public class PromptOpsMetadataTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_semantic_threshold_outside_zero_to_one_is_refused_where_it_is_set(double threshold)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PromptOpsMetadata { SemanticThreshold = threshold });
        Assert.Equal("SemanticThreshold", e.ParamName);
    }

    [Fact]
    public void Valid_thresholds_and_null_are_kept()
    {
        Assert.Equal(1.0, new PromptOpsMetadata { SemanticThreshold = 1.0 }.SemanticThreshold);
        Assert.Equal(0.9, (new PromptOpsMetadata { PromptId = "p" } with { SemanticThreshold = 0.9 }).SemanticThreshold);
        Assert.Null(new PromptOpsMetadata { SemanticThreshold = null }.SemanticThreshold);
        Assert.Equal(new PromptOpsMetadata { SemanticThreshold = 0.9 }, new PromptOpsMetadata { SemanticThreshold = 0.9 });
    }
}
