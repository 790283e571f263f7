namespace PromptOps.Package.Tests;

/// <summary>
/// The package as a user meets it: <c>dotnet pack</c> into a local feed, <c>dotnet new console</c>,
/// <c>dotnet add package PromptOps</c>, a <c>[Prompt]</c> method and a raw <c>IChatClient</c> call with a verbose
/// system prompt and no output limit, <c>dotnet build</c> (the PO warnings must be in its output), <c>dotnet run</c>
/// (the generated method must work). Everything happens under a new temporary directory; the package is packed with a
/// version of its own so no earlier run's copy in the NuGet cache can stand in for it.
/// </summary>
public sealed class FreshProjectTests : IAsyncLifetime
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "promptops-package-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _version = "0.1.0-it." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "." + Random.Shared.Next(1000, 9999);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        TryDelete(_root);
        // The copy `dotnet add package` extracted into the global packages folder: this version exists only for this run.
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDelete(Path.Combine(packages, "promptops", _version));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_fresh_console_project_gets_the_warnings_and_a_working_generated_client()
    {
        var feed = Path.Combine(_root, "feed");
        var pack = await DotNet.RunAsync(DotNet.RepositoryRoot, Step, "pack", Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"),
            "-c", "Release", "-o", feed, "--artifacts-path", Path.Combine(_root, "artifacts"), $"-p:Version={_version}", "-nologo");
        Assert.True(pack.ExitCode == 0, "dotnet pack failed:\n" + pack.Output);
        Assert.True(File.Exists(Path.Combine(feed, $"PromptOps.{_version}.nupkg")), "no package in the feed:\n" + pack.Output);

        // Only the feed and the registry: no Directory.Build.props or NuGet.config of the repository above /tmp.
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

        var added = await DotNet.RunAsync(app, Step, "add", "package", "PromptOps", "--version", _version);
        Assert.True(added.ExitCode == 0, "dotnet add package failed:\n" + added.Output);

        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), Program);

        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.Contains("warning PO0001", build.Output, StringComparison.Ordinal); // the verbose system prompt
        Assert.Contains("warning PO0002", build.Output, StringComparison.Ordinal); // GetResponseAsync without MaxOutputTokens
        Assert.Contains("Program.cs(", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning AD0001", build.Output, StringComparison.Ordinal); // no analyzer crashed
        Assert.DoesNotContain("CS8032", build.Output, StringComparison.Ordinal);        // every analyzer assembly loaded
        Assert.DoesNotContain("warning CS8785", build.Output, StringComparison.Ordinal); // the generator did not fail

        var run = await DotNet.RunAsync(app, Step, "run", "--no-build");
        Assert.True(run.ExitCode == 0, "dotnet run failed:\n" + run.Output);
        // The generated body: the summary task's output limit (200) and tier (balanced → claude-haiku's catalogue
        // entry is not applied without routing, so the model is the caller's), the ticket bound into the user message.
        Assert.Contains("call: max_output_tokens=200 task=summary prompt=App.TicketDesk.SummarizeAsync", run.Output, StringComparison.Ordinal);
        Assert.Contains("user: The app crashes when I open settings.", run.Output, StringComparison.Ordinal);
        Assert.Contains("summary: [simulated gpt-4o-mini]", run.Output, StringComparison.Ordinal);
        Assert.Contains("raw call: max_output_tokens=none", run.Output, StringComparison.Ordinal);
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
        using Microsoft.Extensions.AI;
        using PromptOps;
        using PromptOps.Simulation;

        namespace App;

        public static class Program
        {
            public static async Task Main()
            {
                IChatClient chat = new Printing(new SimulatedChatClient());

                var desk = new TicketDesk(chat);
                Console.WriteLine("summary: " + await desk.SummarizeAsync("The app crashes when I open settings."));

                // A raw call as most projects have today: a verbose system prompt and no output-token limit.
                var reply = await chat.GetResponseAsync(
                [
                    new ChatMessage(ChatRole.System, "You are a very helpful, friendly and extremely knowledgeable AI assistant. Please make sure that you always read the customer's message very carefully and thoroughly before you answer it. It is really very important that you are always polite, kind and professional in each and every answer that you give. Please always do your very best to provide the most helpful, the most accurate and the most complete answer that you possibly can. Please do not ever forget to be polite. Thank you very much for your help, it is greatly appreciated!"),
                    new ChatMessage(ChatRole.User, "Where is my parcel?"),
                ]);
                Console.WriteLine("raw reply: " + reply.Text);
            }
        }

        public partial class TicketDesk(IChatClient chat)
        {
            [Prompt(Task = "summary", System = "Summarize the support ticket in one sentence.", User = "{ticket}")]
            public partial Task<string> SummarizeAsync(string ticket, CancellationToken cancellationToken = default);
        }

        /// <summary>Prints what each call asks for, then lets the simulated provider answer.</summary>
        internal sealed class Printing(IChatClient inner) : DelegatingChatClient(inner)
        {
            public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
            {
                var metadata = options?.GetPromptOps();
                Console.WriteLine(metadata is null
                    ? $"raw call: max_output_tokens={options?.MaxOutputTokens?.ToString() ?? "none"}"
                    : $"call: max_output_tokens={options?.MaxOutputTokens} task={metadata.Task} prompt={metadata.PromptId}");
                foreach (var m in messages) Console.WriteLine($"{m.Role}: {m.Text}");
                return base.GetResponseAsync(messages, options, cancellationToken);
            }
        }
        """;
}
