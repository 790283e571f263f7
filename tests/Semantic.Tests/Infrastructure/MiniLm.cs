using PromptOps.Embeddings;

namespace PromptOps.Semantic.Tests.Infrastructure;

/// <summary>One MiniLM generator for the whole test run (it loads 90 MB of weights).</summary>
public static class MiniLm
{
    private static readonly Lazy<MiniLmEmbeddingGenerator> Instance = new(() => new MiniLmEmbeddingGenerator());

    public static MiniLmEmbeddingGenerator Generator => Instance.Value;
}
