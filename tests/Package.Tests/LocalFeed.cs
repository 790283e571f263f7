namespace PromptOps.Package.Tests;

/// <summary>
/// A temporary directory with a local NuGet feed of this repository's packages, packed with a version of their own (so
/// no earlier run's copy in the NuGet cache can stand in), and fresh console projects that use them as a user would.
/// The packages are packed once per run (<see cref="PackedOnce"/>) and copied into each feed. Disposing deletes the
/// directory, and the last feed of the run alive deletes this version's copies in the global packages folder (a feed
/// still in use may be restoring them).
/// </summary>
internal sealed class LocalFeed : IDisposable
{
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(10);
    private static readonly object Live = new();
    private static readonly HashSet<string> PackageIds = new(StringComparer.Ordinal);
    private static int _alive;

    public LocalFeed(string name)
    {
        lock (Live) _alive++;
        Root = Path.Combine(Path.GetTempPath(), $"promptops-{name}-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Feed => Path.Combine(Root, "feed");

    public static string Version => PackedOnce.Version;

    /// <summary>
    /// Puts the package of a project of the repository (e.g. <c>src/Runtime/PromptOps.Runtime.csproj</c>) into the feed:
    /// packed by the first feed of the run that asks for it, copied by the others.
    /// </summary>
    public async Task PackAsync(string project, string packageId)
    {
        lock (Live) PackageIds.Add(packageId);
        var nupkg = await PackedOnce.NupkgAsync(project, packageId);
        Directory.CreateDirectory(Feed);
        File.Copy(nupkg, Path.Combine(Feed, Path.GetFileName(nupkg)), overwrite: true);
    }

    /// <summary>
    /// <c>dotnet new console</c> with only the feed and the registry as sources (no NuGet.config or Directory.Build.props
    /// of the repository above it), <c>dotnet add package</c>, and <paramref name="program"/> as Program.cs.
    /// </summary>
    /// <returns>The project's directory.</returns>
    public async Task<string> NewConsoleAsync(string packageId, string program)
    {
        await WriteNuGetConfigAsync();
        var created = await DotNet.RunAsync(Root, Step, "new", "console", "-o", "App", "-f", "net10.0");
        Assert.True(created.ExitCode == 0, "dotnet new console failed:\n" + created.Output);
        var app = Path.Combine(Root, "App");
        var added = await DotNet.RunAsync(app, Step, "add", "package", packageId, "--version", Version);
        Assert.True(added.ExitCode == 0, "dotnet add package failed:\n" + added.Output);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        return app;
    }

    /// <summary><c>dotnet add package</c> <paramref name="packageId"/> (this run's version, from the feed) to the project in <paramref name="app"/>.</summary>
    public static async Task AddPackageAsync(string app, string packageId)
    {
        var added = await DotNet.RunAsync(app, Step, "add", "package", packageId, "--version", Version);
        Assert.True(added.ExitCode == 0, $"dotnet add package {packageId} failed:\n" + added.Output);
    }

    /// <summary>
    /// A console project of its own under <see cref="Root"/>/<paramref name="name"/> (written directly, as
    /// <c>dotnet new console</c> would, but for any <paramref name="targetFramework"/>), with
    /// <paramref name="projectContent"/> (properties and items) in its project file, an optional
    /// <c>Directory.Packages.props</c> beside it (central package management), <paramref name="program"/> as Program.cs,
    /// then <c>dotnet add package</c> <paramref name="packageId"/> from the feed as a user would.
    /// </summary>
    /// <returns>The project's directory and the output of <c>dotnet add package</c> (its restore).</returns>
    public async Task<(string Directory, string AddOutput)> NewProjectAsync(string name, string targetFramework, string packageId, string program,
        string projectContent = "", string? directoryPackagesProps = null)
    {
        await WriteNuGetConfigAsync();
        var app = Path.Combine(Root, name);
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, name + ".csproj"), ProjectFile(targetFramework, projectContent));
        // An empty Directory.Build.props/.targets stops MSBuild from looking further up (the temp folder is not ours).
        await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.props"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(app, "Directory.Build.targets"), "<Project />");
        await File.WriteAllTextAsync(Path.Combine(app, "Directory.Packages.props"),
            directoryPackagesProps ?? "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>");
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        var added = await DotNet.RunAsync(app, Step, "add", "package", packageId, "--version", Version);
        Assert.True(added.ExitCode == 0, $"dotnet add package {packageId} failed in {name}:\n" + added.Output);
        return (app, added.Output);
    }

    /// <summary>The project file <see cref="NewProjectAsync"/> writes (also to rewrite it with other content).</summary>
    public static string ProjectFile(string targetFramework, string projectContent) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>{targetFramework}</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        {projectContent}
        </Project>
        """;

    private async Task WriteNuGetConfigAsync()
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
    }

    public void Dispose()
    {
        TryDelete(Root);
        lock (Live)
        {
            if (--_alive > 0) return;
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            // The copies `dotnet add package` extracted: this version exists only for this run (the embeddings one is
            // ~90 MB). Deleted under the lock a new feed takes, so no feed restores while they go (a later feed of the
            // run extracts them again from its own copy of the package).
            foreach (var id in PackageIds) TryDelete(Path.Combine(packages, id.ToLowerInvariant(), Version));
        }
    }

    internal static void TryDelete(string path)
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
