namespace PromptOps.Package.Tests;

/// <summary>
/// <c>PromptOps</c> packed once (<see cref="PackedFeed"/>), then installed the way real projects are set up: net8.0 and
/// net10.0, Microsoft.Extensions.* pinned at 8.0.x, 9.0.x and 10.0.x, central package management with transitive
/// pinning (like dotnet/eShop), and TreatWarningsAsErrors. Each project must restore and build without a downgrade
/// (NU1605) or an out-of-range dependency (NU1608), keep the versions it pinned, and run a <c>[Prompt]</c> method
/// through the runtime's cache and a stand-in provider (<see cref="StandInProvider"/>: the project installs PromptOps alone)
/// with the runtime built for its target.
/// </summary>
[Trait("Needs", "package")]
public sealed class InstallMatrixTests(InstallMatrixTests.PackedFeed packed) : IClassFixture<InstallMatrixTests.PackedFeed>
{
    private static readonly TimeSpan Step = LocalFeed.Step;

    /// <summary>Only the .NET 10 runtime is installed here: a net8.0 app (compiled against net8.0, with the package's
    /// lib/net8.0) runs on it by rolling forward.</summary>
    private const string RollForward = "<PropertyGroup><RollForward>Major</RollForward></PropertyGroup>";

    [Theory]
    [InlineData("net8.0", "8.0.1", "8.0.0", "8.0.1", "8.0.1")]
    [InlineData("net8.0", "9.0.10", "9.0.10", "9.0.10", "9.0.10")]
    [InlineData("net10.0", "8.0.1", "8.0.0", "8.0.1", "8.0.1")]
    [InlineData("net10.0", "9.0.10", "9.0.10", "9.0.10", "9.0.10")]
    [InlineData("net10.0", "10.0.10", "10.0.10", "10.0.10", "10.0.10")]
    public async Task Installs_builds_and_runs_with_Microsoft_Extensions_pinned(string targetFramework, string cachingMemory, string optionsConfiguration,
        string logging, string dependencyInjection)
    {
        var name = $"Pinned_{targetFramework}_{cachingMemory}".Replace('.', '_');
        var pins = new Dictionary<string, string>
        {
            ["Microsoft.Extensions.Caching.Memory"] = cachingMemory,
            ["Microsoft.Extensions.Options.ConfigurationExtensions"] = optionsConfiguration,
            ["Microsoft.Extensions.Logging"] = logging,
            ["Microsoft.Extensions.DependencyInjection"] = dependencyInjection,
        };
        var content = "  <ItemGroup>\n" + string.Concat(pins.Select(p => $"    <PackageReference Include=\"{p.Key}\" Version=\"{p.Value}\" />\n")) + "  </ItemGroup>\n"
            + (targetFramework == "net8.0" ? RollForward : "");

        var (app, added) = await packed.Feed.NewProjectAsync(name, targetFramework, "PromptOps", Program, content);
        var build = await BuildAsync(app, added);
        AssertPinsKept(app, pins, build);
        await RunAsync(app, targetFramework);
    }

    [Fact]
    public async Task Installs_builds_and_runs_under_central_package_management_with_transitive_pinning()
    {
        // As dotnet/eShop: every version in Directory.Packages.props, transitive packages pinned to them too.
        const string ext = "10.0.10";
        const string ai = "10.5.0";
        var pins = new Dictionary<string, string>
        {
            ["Microsoft.Extensions.AI"] = ai,
            ["Microsoft.Extensions.AI.Abstractions"] = ai,
            ["Microsoft.Extensions.Caching.Abstractions"] = ext,
            ["Microsoft.Extensions.Caching.Memory"] = ext,
            ["Microsoft.Extensions.Configuration.Abstractions"] = ext,
            ["Microsoft.Extensions.DependencyInjection"] = ext,
            ["Microsoft.Extensions.DependencyInjection.Abstractions"] = ext,
            ["Microsoft.Extensions.Logging"] = ext,
            ["Microsoft.Extensions.Logging.Abstractions"] = ext,
            ["Microsoft.Extensions.Options"] = ext,
            ["Microsoft.Extensions.Options.ConfigurationExtensions"] = ext,
            ["Microsoft.Extensions.Primitives"] = ext,
        };
        var props = $"""
            <Project>
              <PropertyGroup>
                <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
                <CentralPackageTransitivePinningEnabled>true</CentralPackageTransitivePinningEnabled>
              </PropertyGroup>
              <ItemGroup>
            {string.Concat(pins.Select(p => $"    <PackageVersion Include=\"{p.Key}\" Version=\"{p.Value}\" />\n"))}  </ItemGroup>
            </Project>
            """;
        const string content = """
              <ItemGroup>
                <PackageReference Include="Microsoft.Extensions.AI" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" />
                <PackageReference Include="Microsoft.Extensions.Logging" />
              </ItemGroup>
            """;

        var (app, added) = await packed.Feed.NewProjectAsync("Central", "net10.0", "PromptOps", Program, content, props);
        Assert.Contains("<PackageVersion Include=\"PromptOps\"", await File.ReadAllTextAsync(Path.Combine(app, "Directory.Packages.props")), StringComparison.Ordinal);
        var build = await BuildAsync(app, added);
        AssertPinsKept(app, pins, build);
        await RunAsync(app, "net10.0");
    }

    [Fact]
    public async Task TreatWarningsAsErrors_keeps_the_cost_rules_warnings_unless_the_project_opts_in()
    {
        const string warningsAsErrors = "  <PropertyGroup><TreatWarningsAsErrors>true</TreatWarningsAsErrors></PropertyGroup>\n";
        var program = Program.Replace("// RAW", """var raw = await chat.GetResponseAsync("hi"); Console.WriteLine("raw: " + raw.Text);""", StringComparison.Ordinal);
        var (app, added) = await packed.Feed.NewProjectAsync("Strict", "net10.0", "PromptOps", program, warningsAsErrors);
        var csproj = Path.Combine(app, "Strict.csproj");
        var withPackage = await File.ReadAllTextAsync(csproj);

        var build = await BuildAsync(app, added);
        Assert.Contains("warning PO0002", build, StringComparison.Ordinal); // still shown, as a warning
        Assert.DoesNotContain("error PO0", build, StringComparison.Ordinal);
        var run = await RunAsync(app, "net10.0");
        Assert.Contains("raw: [stand-in gpt-4o-mini]", run, StringComparison.Ordinal);

        // dotnet format still sees and fixes them (listing them in WarningsNotAsErrors at design time hid them from it).
        var format = await DotNet.RunAsync(app, Step, "format", "analyzers", "--diagnostics", "PO0002", "--severity", "warn");
        Assert.True(format.ExitCode == 0, "dotnet format failed:\n" + format.Output);
        Assert.Contains("MaxOutputTokens = ", await File.ReadAllTextAsync(Path.Combine(app, "Program.cs")), StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);

        // The one line that makes the cost rules errors like the project's other warnings.
        await File.WriteAllTextAsync(csproj, withPackage.Replace("<TreatWarningsAsErrors>true</TreatWarningsAsErrors>",
            "<TreatWarningsAsErrors>true</TreatWarningsAsErrors><PromptOpsWarningsAsErrors>true</PromptOpsWarningsAsErrors>", StringComparison.Ordinal));
        var strict = await DotNet.RunAsync(app, Step, "build", "--no-incremental", "-nologo", "-v:minimal");
        Assert.True(strict.ExitCode != 0, "the build with PromptOpsWarningsAsErrors=true succeeded:\n" + strict.Output);
        Assert.Contains("error PO0002", strict.Output, StringComparison.Ordinal);
    }

    private static async Task<string> BuildAsync(string app, string added)
    {
        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal");
        var output = added + build.Output;
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + output);
        Assert.DoesNotContain("NU1605", output, StringComparison.Ordinal); // a package downgrade
        Assert.DoesNotContain("NU1608", output, StringComparison.Ordinal); // a dependency outside a declared range
        Assert.DoesNotContain("NU1109", output, StringComparison.Ordinal); // a central pin below what a package needs
        Assert.DoesNotContain("warning AD0001", output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8032", output, StringComparison.Ordinal);
        return output;
    }

    /// <summary>The versions the project pinned are the ones restored (PromptOps' floors did not lift them).</summary>
    private static void AssertPinsKept(string app, Dictionary<string, string> pins, string build)
    {
        var assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        foreach (var (id, version) in pins)
            Assert.True(assets.Contains($"\"{id}/{version}\"", StringComparison.OrdinalIgnoreCase), $"{id} {version} was not the restored version:\n" + build);
    }

    private static async Task<string> RunAsync(string app, string targetFramework)
    {
        var run = await DotNet.RunAsync(app, Step, "run", "--no-build");
        Assert.True(run.ExitCode == 0, "dotnet run failed:\n" + run.Output);
        Assert.Contains("summary: [stand-in gpt-4o-mini]", run.Output, StringComparison.Ordinal);
        Assert.Contains("provider calls: 1", run.Output, StringComparison.Ordinal); // the second call was a cache hit
        var version = targetFramework == "net8.0" ? "v8.0" : "v10.0";
        Assert.Contains($"runtime: .NETCoreApp,Version={version}", run.Output, StringComparison.Ordinal);
        return run.Output;
    }

    private const string Program = """
        using System.Reflection;
        using System.Runtime.Versioning;
        using Microsoft.Extensions.AI;
        using PromptOps;

        var provider = new StandInChatClient();
        IChatClient chat = provider.AsBuilder().UsePromptCache().Build();
        var desk = new App.TicketDesk(chat);
        var first = await desk.SummarizeAsync("The app crashes when I open settings.");
        var second = await desk.SummarizeAsync("The app crashes when I open settings.");
        Console.WriteLine("summary: " + first);
        Console.WriteLine("same answer: " + (first == second));
        Console.WriteLine("provider calls: " + provider.CallCount);
        Console.WriteLine("runtime: " + typeof(PromptAttribute).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName);
        // RAW

        namespace App
        {
            public partial class TicketDesk(IChatClient chat)
            {
                [Prompt(Task = "summary", CacheTtl = "daily", System = "Summarize the support ticket in one sentence.", User = "{ticket}")]
                public partial Task<string> SummarizeAsync(string ticket, CancellationToken cancellationToken = default);
            }
        }
        """ + StandInProvider.Source;

    /// <summary>The package packed once into a local feed for every project of the matrix.</summary>
    public sealed class PackedFeed : IAsyncLifetime
    {
        internal LocalFeed Feed { get; } = new("matrix");

        public Task InitializeAsync() => Feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");

        public Task DisposeAsync()
        {
            Feed.Dispose();
            return Task.CompletedTask;
        }
    }
}
