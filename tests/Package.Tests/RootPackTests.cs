namespace PromptOps.Package.Tests;

/// <summary>
/// <c>dotnet pack</c> at the repository root gives exactly the packages users install — no package of the generator,
/// the analyzers, the code fixes, the tests, the samples or the benchmarks (the generator's IncludeBuildOutput=false
/// made that pack fail with NU5017).
/// </summary>
[Trait("Needs", "package")]
public sealed class RootPackTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "promptops-rootpack-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [Fact]
    public async Task Packing_the_solution_gives_exactly_the_packages_users_install()
    {
        const string version = "0.1.0-rootpack";
        var output = Path.Combine(_root, "out");
        // ./test.sh has just built the solution in Release and says so (PROMPTOPS_RELEASE_BUILT=1): pack from that build
        // (seconds) rather than building everything again (minutes). Run on its own the test builds into an artifacts
        // folder of its own: an older Release build left in bin/ would be stale binaries.
        var built = Environment.GetEnvironmentVariable("PROMPTOPS_RELEASE_BUILT") == "1";
        var pack = built
            ? await DotNet.RunAsync(DotNet.RepositoryRoot, TimeSpan.FromMinutes(20), "pack", "PromptOps.sln", "-c", "Release", "--no-build", "-o", output,
                $"-p:Version={version}", "-nologo")
            : await DotNet.RunAsync(DotNet.RepositoryRoot, TimeSpan.FromMinutes(20), "pack", "PromptOps.sln", "-c", "Release", "-o", output,
                "--artifacts-path", Path.Combine(_root, "artifacts"), $"-p:Version={version}", "-nologo");
        Assert.True(pack.ExitCode == 0, $"dotnet pack PromptOps.sln{(built ? " --no-build" : string.Empty)} failed:\n" + pack.Output);

        var packages = Directory.GetFiles(output, "*.nupkg").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        string[] expected =
        [
            $"PromptOps.{version}.nupkg",
            $"PromptOps.All.{version}.nupkg",
            $"PromptOps.Embeddings.MiniLM.{version}.nupkg",
            $"PromptOps.Redis.{version}.nupkg",
            $"PromptOps.Reports.{version}.nupkg",
            $"PromptOps.Sqlite.{version}.nupkg",
            $"PromptOps.Testing.{version}.nupkg",
            $"PromptOps.Tool.{version}.nupkg",
        ];
        Assert.Equal(expected, packages);
    }
}
