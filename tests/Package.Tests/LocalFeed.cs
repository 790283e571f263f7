using System.Globalization;

namespace PromptOps.Package.Tests;

/// <summary>
/// A temporary directory with a local NuGet feed of this repository's packages, packed with a version of their own (so
/// no earlier run's copy in the NuGet cache can stand in), and fresh console projects that use them as a user would.
/// Disposing deletes the directory and this version's copies in the global packages folder.
/// </summary>
internal sealed class LocalFeed : IDisposable
{
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(10);
    private readonly List<string> _packageIds = [];

    public LocalFeed(string name)
    {
        Root = Path.Combine(Path.GetTempPath(), $"promptops-{name}-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = "0.1.0-it." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Random.Shared.Next(1000, 9999);

    /// <summary>Packs a project of the repository (e.g. <c>src/Runtime/PromptOps.Runtime.csproj</c>) into the feed.</summary>
    public async Task PackAsync(string project, string packageId)
    {
        var pack = await DotNet.RunAsync(DotNet.RepositoryRoot, Step, "pack", project, "-c", "Release", "-o", Feed,
            "--artifacts-path", Path.Combine(Root, "artifacts"), $"-p:Version={Version}", "-nologo");
        Assert.True(pack.ExitCode == 0, $"dotnet pack {project} failed:\n" + pack.Output);
        Assert.True(File.Exists(Path.Combine(Feed, $"{packageId}.{Version}.nupkg")), $"no {packageId} package in the feed:\n" + pack.Output);
        _packageIds.Add(packageId);
    }

    /// <summary>
    /// <c>dotnet new console</c> with only the feed and the registry as sources (no NuGet.config or Directory.Build.props
    /// of the repository above it), <c>dotnet add package</c>, and <paramref name="program"/> as Program.cs.
    /// </summary>
    /// <returns>The project's directory.</returns>
    public async Task<string> NewConsoleAsync(string packageId, string program)
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        var created = await DotNet.RunAsync(Root, Step, "new", "console", "-o", "App", "-f", "net10.0");
        Assert.True(created.ExitCode == 0, "dotnet new console failed:\n" + created.Output);
        var app = Path.Combine(Root, "App");
        var added = await DotNet.RunAsync(app, Step, "add", "package", packageId, "--version", Version);
        Assert.True(added.ExitCode == 0, "dotnet add package failed:\n" + added.Output);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        return app;
    }

    public void Dispose()
    {
        TryDelete(Root);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // The copies `dotnet add package` extracted: this version exists only for this run (the embeddings one is ~90 MB).
        foreach (var id in _packageIds) TryDelete(Path.Combine(packages, id.ToLowerInvariant(), Version));
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
}
