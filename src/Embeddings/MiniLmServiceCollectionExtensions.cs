using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PromptOps.Embeddings;

/// <summary>Registers the offline MiniLM embedding generator for PromptOps' semantic cache.</summary>
public static class MiniLmServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="MiniLmEmbeddingGenerator"/> (created on first use) as the
    /// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>, unless another one is registered already.
    /// Then turn on <c>PromptOps:Cache:Semantic:Enabled</c>.
    /// </summary>
    public static IServiceCollection AddMiniLmEmbeddingGenerator(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<MiniLmEmbeddingGenerator>(_ => new MiniLmEmbeddingGenerator());
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<MiniLmEmbeddingGenerator>());
        return services;
    }
}
