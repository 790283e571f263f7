using System.Collections.Concurrent;
using System.Globalization;

namespace PromptOps.Package.Tests;

/// <summary>
/// The repository's packages packed once per test run, with a version of this run's own (so no earlier run's copy in
/// the NuGet cache can stand in), and shared by every <see cref="LocalFeed"/>: each test class used to pack (and so
/// build) <c>PromptOps</c> again into its own artifacts folder, four builds of the same code per run. Packs run one at
/// a time into one artifacts folder (two at once would write the same intermediate files); the second project's pack
/// reuses what the first one built. Under ./test.sh they pack the Release build it has just made instead.
/// </summary>
internal static class PackedOnce
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Packed = new(StringComparer.Ordinal);
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>The version every package of this run is packed with.</summary>
    public static string Version { get; } = "0.1.0-it." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Random.Shared.Next(1000, 9999);

    static PackedOnce()
    {
        // What the previous run left (its test host may be stopped before anything at the end of a run finishes).
        LocalFeed.TryDelete(Root);
    }

    /// <summary>
    /// Where this run's packages go, and their build when no Release build is given: beside the test assembly
    /// (git-ignored), emptied when a run starts, so one run's packages stay there at most until the next run.
    /// </summary>
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "packed");

    private static string Artifacts { get; } = Path.Combine(Root, "artifacts");

    /// <summary>
    /// The <c>.nupkg</c> of <paramref name="packageId"/> packed from <paramref name="project"/> (e.g.
    /// <c>src/Runtime/PromptOps.Runtime.csproj</c>): packed by the first caller, awaited by the others. A failed pack
    /// fails every test that needs it, with the same output.
    /// </summary>
    public static Task<string> NupkgAsync(string project, string packageId) =>
        Packed.GetOrAdd(project + "|" + packageId, _ => new Lazy<Task<string>>(() => PackAsync(project, packageId))).Value;

    private static async Task<string> PackAsync(string project, string packageId)
    {
        await OneAtATime.WaitAsync();
        try
        {
            var output = Path.Combine(Root, "feed");
            // ./test.sh has just built the solution in Release and says so (PROMPTOPS_RELEASE_BUILT=1): pack from that
            // build. Run on its own, the pack builds what it packs (into Artifacts).
            var fromBuild = Environment.GetEnvironmentVariable("PROMPTOPS_RELEASE_BUILT") == "1";
            var pack = fromBuild
                ? await DotNet.RunAsync(DotNet.RepositoryRoot, LocalFeed.Step, "pack", project, "-c", "Release", "--no-build", "-o", output,
                    $"-p:Version={Version}", "-nologo")
                : await DotNet.RunAsync(DotNet.RepositoryRoot, LocalFeed.Step, "pack", project, "-c", "Release", "-o", output,
                    "--artifacts-path", Artifacts, $"-p:Version={Version}", "-nologo");
            Assert.True(pack.ExitCode == 0, $"dotnet pack {project}{(fromBuild ? " --no-build" : string.Empty)} failed:\n" + pack.Output);
            var nupkg = Path.Combine(output, $"{packageId}.{Version}.nupkg");
            Assert.True(File.Exists(nupkg), $"no {packageId} package in the feed:\n" + pack.Output);
            return nupkg;
        }
        finally
        {
            OneAtATime.Release();
        }
    }
}
