using System.Globalization;
using System.Text.Json;
using PromptOps.Tests.Infrastructure;
using PromptOps.Tests.Shared;
using Xunit.Abstractions;

namespace PromptOps.Package.Tests;

/// <summary>
/// The package graph as a user meets it (issue #17): a project that installs only <c>PromptOps</c> restores no Redis,
/// SQLite or ONNX assembly and not the test double (<c>PromptOps.Testing</c>), publishes small, and loads no Redis, Polly
/// or SQLite assembly through its first call; the one line <c>dotnet add package PromptOps.All</c> brings Redis and the
/// SQLite ledger (and still not <c>PromptOps.Testing</c>), which work against a real redis-server on loopback, answered by
/// <c>PromptOps.Testing</c>'s simulated provider once that is added.
/// </summary>
[Trait("Needs", "package")]
[Trait("Needs", "redis")]
public sealed class PackageGraphTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = LocalFeed.Step;

    /// <summary>Assemblies (and packages) a PromptOps-only application must not get.</summary>
    private static readonly string[] Optional = ["StackExchange.Redis", "RESPite", "Microsoft.Data.Sqlite", "SQLitePCLRaw", "Microsoft.ML.OnnxRuntime", "PromptOps.Testing"];

    /// <summary>The most a framework-dependent linux-x64 publish of a PromptOps-only application may weigh.</summary>
    private const long PublishLimitBytes = 8L * 1024 * 1024;

    private readonly LocalFeed _feed = new("graph");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task A_PromptOps_only_project_restores_publishes_and_runs_without_Redis_SQLite_ONNX_or_Polly()
    {
        await _feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");
        var app = await _feed.NewConsoleAsync("PromptOps", CoreProgram);
        var di = await DotNet.RunAsync(app, Step, "add", "package", "Microsoft.Extensions.DependencyInjection", "--version", "10.0.10");
        Assert.True(di.ExitCode == 0, "dotnet add package Microsoft.Extensions.DependencyInjection failed:\n" + di.Output);

        // Restore: no package of Redis, SQLite or ONNX Runtime, and not the test double, in the project's graph.
        var libraries = Restored(app);
        output.WriteLine($"restored packages: {libraries.Count}");
        Assert.Contains(libraries, l => l.StartsWith("PromptOps/", StringComparison.OrdinalIgnoreCase));
        foreach (var optional in Optional)
            Assert.DoesNotContain(libraries, l => l.StartsWith(optional, StringComparison.OrdinalIgnoreCase));

        // Publish (framework-dependent, linux-x64): small, and no optional assembly in it.
        var published = Path.Combine(app, "pub");
        var publish = await DotNet.RunAsync(app, Step, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", published, "-nologo", "-v:minimal");
        Assert.True(publish.ExitCode == 0, "dotnet publish failed:\n" + publish.Output);
        var files = Directory.GetFiles(published, "*", SearchOption.AllDirectories);
        var bytes = files.Sum(f => new FileInfo(f).Length);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"publish: {files.Length} files, {bytes} bytes ({bytes / 1024.0 / 1024.0:F1} MiB)"));
        Assert.True(bytes < PublishLimitBytes, string.Create(CultureInfo.InvariantCulture, $"the publish output is {bytes} bytes (limit {PublishLimitBytes}):\n") +
            string.Join('\n', files.Select(f => $"{new FileInfo(f).Length,12} {Path.GetRelativePath(published, f)}")));
        foreach (var optional in Optional)
            Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith(optional, StringComparison.OrdinalIgnoreCase));

        // Run: through UsePromptOps with a budget, nothing of Redis, Polly or SQLite is loaded; Polly is once fallback is on
        // (so the check can see it); a Redis setting without PromptOps.Redis fails, naming the package.
        var run = await DotNet.RunAsync(published, Step, Path.Combine(published, "App.dll"));
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, "the published app failed:\n" + run.Output);
        Assert.Contains("answer: [stand-in gpt-4o-mini]", run.Output, StringComparison.Ordinal);
        var first = Loaded(run.Output, "first call");
        Assert.Contains("PromptOps.Runtime", first);
        foreach (var forbidden in new[] { "StackExchange.Redis", "RESPite", "Polly.Core", "Microsoft.Data.Sqlite", "SQLitePCLRaw.core" })
            Assert.DoesNotContain(forbidden, first);
        Assert.Contains("Polly.Core", Loaded(run.Output, "with fallback"));
        Assert.Contains("redis without the package: PromptOps:Redis:Configuration is set, but Redis is not registered: install the PromptOps.Redis package and call services.AddPromptOpsRedis()", run.Output, StringComparison.Ordinal);
        // The README's table (figures:package-graph; sizes change with the code, so the README is not checked here).
        var promptOps = files.Where(f => Path.GetFileName(f).StartsWith("PromptOps", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        var installed = InstalledBytes(app);
        ReadmeFigure.Print(output, "package-graph",
            ("0", "| restored packages | of them Redis, SQLite, ONNX Runtime or PromptOps.Testing | in the NuGet packages folder | publish, framework-dependent linux-x64 | of it PromptOps' own assemblies | loaded after the first call |"),
            ("1", "|---:|---:|---:|---:|---:|---|"),
            ("2", string.Create(CultureInfo.InvariantCulture,
                $"| {libraries.Count} | 0 | {installed / 1024.0 / 1024.0:F1} MiB | {files.Length} files, {bytes:N0} bytes ({bytes / 1024.0 / 1024.0:F1} MiB; limit {PublishLimitBytes / 1024 / 1024} MiB) | {promptOps:N0} bytes | {first.Count} assemblies, none of Redis, Polly or SQLite |")));
    }

    [Fact]
    public async Task The_one_line_install_brings_Redis_and_the_SQLite_ledger_and_both_work()
    {
        foreach (var (project, id) in new[]
                 {
                     ("Runtime/PromptOps.Runtime.csproj", "PromptOps"), ("Redis/PromptOps.Redis.csproj", "PromptOps.Redis"),
                     ("Sqlite/PromptOps.Sqlite.csproj", "PromptOps.Sqlite"), ("All/PromptOps.All.csproj", "PromptOps.All"),
                     ("Testing/PromptOps.Testing.csproj", "PromptOps.Testing"),
                 })
        {
            await _feed.PackAsync(Path.Combine("src", project), id);
        }

        var app = await _feed.NewConsoleAsync("PromptOps.All", AllProgram);
        Assert.DoesNotContain(Restored(app), l => l.StartsWith("PromptOps.Testing/", StringComparison.OrdinalIgnoreCase)); // not in the common set
        await LocalFeed.AddPackageAsync(app, "PromptOps.Testing"); // the simulated provider the program answers with
        var di = await DotNet.RunAsync(app, Step, "add", "package", "Microsoft.Extensions.DependencyInjection", "--version", "10.0.10");
        Assert.True(di.ExitCode == 0, "dotnet add package Microsoft.Extensions.DependencyInjection failed:\n" + di.Output);
        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.Contains("warning PO0002", build.Output, StringComparison.Ordinal); // the cost rules came with the metapackage
        Assert.DoesNotContain("warning AD0001", build.Output, StringComparison.Ordinal);

        using var redis = new RedisServer();
        var ledger = Path.Combine(_feed.Root, "ledger", "usage.db");
        var run = await DotNet.RunAsync(app, Step, "run", "--no-build", "--", redis.Configuration, ledger);
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, "dotnet run failed:\n" + run.Output);
        Assert.Contains("l2: RedisResponseCacheStore", run.Output, StringComparison.Ordinal);
        Assert.Contains("app 1: None", run.Output, StringComparison.Ordinal);
        Assert.Contains("app 1 again: Memory", run.Output, StringComparison.Ordinal);
        Assert.Contains("app 2: Distributed", run.Output, StringComparison.Ordinal); // the second instance was answered from Redis
        Assert.Contains("budget store: ResilientBudgetStore", run.Output, StringComparison.Ordinal);
        Assert.Contains("ledger records: 2", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(ledger));
    }

    /// <summary>
    /// What installing the project's packages puts in the NuGet packages folder: the bytes of every restored package's
    /// folder there (the .nupkg and what was extracted from it), as listed in project.assets.json.
    /// </summary>
    private static long InstalledBytes(string app)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")));
        var folders = assets.RootElement.GetProperty("packageFolders").EnumerateObject().Select(p => p.Name).ToList();
        long total = 0;
        foreach (var library in assets.RootElement.GetProperty("libraries").EnumerateObject())
        {
            if (library.Value.GetProperty("type").GetString() != "package") continue;
            var relative = library.Value.GetProperty("path").GetString()!;
            var folder = folders.Select(f => Path.Combine(f, relative)).FirstOrDefault(Directory.Exists)
                ?? throw new DirectoryNotFoundException($"{library.Name} is not in any packages folder ({string.Join(", ", folders)}).");
            total += Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        }

        return total;
    }

    /// <summary>The packages (<c>id/version</c>) in the restore graph of the project in <paramref name="app"/>.</summary>
    private static List<string> Restored(string app)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
    }

    /// <summary>The assembly names the program printed after <c>== {label}</c>.</summary>
    private static HashSet<string> Loaded(string runOutput, string label)
    {
        var line = runOutput.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith($"== {label}: ", StringComparison.Ordinal));
        return [.. line[$"== {label}: ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }

    private const string CoreProgram = """
        using Microsoft.Extensions.AI;
        using Microsoft.Extensions.DependencyInjection;
        using PromptOps;

        static void Print(string label) =>
            Console.WriteLine($"== {label}: " + string.Join(' ', AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Order(StringComparer.Ordinal)));

        static async Task<string> CallAsync(Action<PromptOpsOptions> configure)
        {
            var services = new ServiceCollection();
            services.AddPromptOps(configure);
            services.AddChatClient(new StandInChatClient()).UsePromptOps();
            await using var sp = services.BuildServiceProvider();
            var reply = await sp.GetRequiredService<IChatClient>().GetResponseAsync("Where is my parcel?", new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 50 });
            return reply.Text;
        }

        Console.WriteLine("answer: " + await CallAsync(o => o.Budget.DailyLimitUsd = 5m));
        Print("first call");
        await CallAsync(o => { o.Budget.DailyLimitUsd = 5m; o.Fallback.Enabled = true; });
        Print("with fallback");
        try
        {
            await CallAsync(o => o.Redis.Configuration = "127.0.0.1:6379");
            Console.WriteLine("redis without the package: built");
        }
        catch (Exception e)
        {
            Console.WriteLine("redis without the package: " + e.Message.ReplaceLineEndings(" "));
        }
        """ + StandInProvider.Source;

    private const string AllProgram = """
        using Microsoft.Extensions.AI;
        using Microsoft.Extensions.DependencyInjection;
        using PromptOps;
        using PromptOps.Budgets;
        using PromptOps.Caching;
        using PromptOps.Knowledge;
        using PromptOps.Simulation;
        using PromptOps.Usage.Sqlite;
        using StackExchange.Redis;

        var (redis, ledger) = (args[0], args[1]);
        var prefix = "fresh-" + Guid.NewGuid().ToString("N");

        ServiceProvider App(bool withLedger)
        {
            var services = new ServiceCollection();
            services.AddPromptOps(o =>
            {
                o.Redis.Configuration = redis;
                o.Redis.KeyPrefix = prefix;
                o.Redis.OperationTimeout = TimeSpan.FromSeconds(10);
                o.Budget.DailyLimitUsd = 5m;
                if (withLedger) o.Ledger.SqlitePath = ledger;
            });
            services.AddPromptOpsRedis();
            services.AddPromptOpsSqliteLedger();
            services.AddChatClient(new SimulatedChatClient()).UsePromptOps();
            return services.BuildServiceProvider();
        }

        List<ChatMessage> ask = [new(ChatRole.User, "Where is my parcel?")];
        // A limit the simulated answer fits in: an answer cut off at the limit is not cached (Truncation's default).
        ChatOptions Options() => new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 1000 }.WithPromptOps(new PromptOpsMetadata { CacheTtl = CacheTtl.Parse("10m") });

        // Each app connects in the background (AbortOnConnectFail=false): wait for both connections before the calls.
        static async Task ConnectedAsync(ServiceProvider app)
        {
            var connection = app.GetRequiredService<IConnectionMultiplexer>();
            for (var i = 0; i < 600 && !connection.IsConnected; i++) await Task.Delay(50);
            Console.WriteLine("connected: " + connection.IsConnected);
        }

        await using (var one = App(withLedger: true))
        await using (var two = App(withLedger: false))
        {
            Console.WriteLine("l2: " + one.GetRequiredService<IResponseCacheStore>().GetType().Name);
            Console.WriteLine("budget store: " + one.GetRequiredService<IBudgetStore>().GetType().Name);
            await ConnectedAsync(one);
            await ConnectedAsync(two);
            var first = await one.GetRequiredService<IChatClient>().GetResponseAsync(ask, Options());
            Console.WriteLine("app 1: " + first.GetCacheLayer());
            var again = await one.GetRequiredService<IChatClient>().GetResponseAsync(ask, Options());
            Console.WriteLine("app 1 again: " + again.GetCacheLayer());
            var second = await two.GetRequiredService<IChatClient>().GetResponseAsync(ask, Options());
            Console.WriteLine("app 2: " + second.GetCacheLayer());
        }

        // Disposing the first app flushed its ledger: its two calls (a miss and a memory hit).
        Console.WriteLine("ledger records: " + SqliteLedgerReader.Read(ledger).Count());

        // A raw call without an output limit: PO0002 in the build output shows the cost rules came with PromptOps.All.
        static Task<ChatResponse> Raw(IChatClient chat) => chat.GetResponseAsync("hi");
        """;
}
