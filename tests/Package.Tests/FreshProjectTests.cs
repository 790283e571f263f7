using PromptOps.Tests.Shared;
using Xunit.Abstractions;

namespace PromptOps.Package.Tests;

/// <summary>
/// The package as a user meets it: <c>dotnet pack</c> into a local feed, <c>dotnet new console</c>,
/// <c>dotnet add package PromptOps</c> (and <c>PromptOps.Testing</c> for the simulated provider), a <c>[Prompt]</c> method and a raw <c>IChatClient</c> call with a verbose
/// system prompt and no output limit, <c>dotnet build</c> (the PO warnings must be in its output), <c>dotnet run</c>
/// (the generated method must work). Everything happens under a new temporary directory; the package is packed with a
/// version of its own so no earlier run's copy in the NuGet cache can stand in for it.
/// </summary>
[Trait("Needs", "package")]
public sealed class FreshProjectTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Step = LocalFeed.Step;
    private readonly LocalFeed _feed = new("package");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task A_fresh_console_project_gets_the_warnings_and_a_working_generated_client()
    {
        await _feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");
        await _feed.PackAsync(Path.Combine("src", "Testing", "PromptOps.Testing.csproj"), "PromptOps.Testing");
        var app = await _feed.NewConsoleAsync("PromptOps", Program);
        await LocalFeed.AddPackageAsync(app, "PromptOps.Testing"); // the simulated provider the program answers with

        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.Contains("warning PO0001", build.Output, StringComparison.Ordinal); // the verbose system prompt
        Assert.Contains("warning PO0002", build.Output, StringComparison.Ordinal); // GetResponseAsync without MaxOutputTokens
        Assert.Contains("Program.cs(", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning AD0001", build.Output, StringComparison.Ordinal); // no analyzer crashed
        Assert.DoesNotContain("CS8032", build.Output, StringComparison.Ordinal);        // every analyzer assembly loaded
        Assert.DoesNotContain("warning CS8785", build.Output, StringComparison.Ordinal); // the generator did not fail

        // The README's build output (figures:fresh-build): each PromptOps warning once, as "Program.cs(l,c): warning POxxxx: …".
        var warnings = build.Output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Contains(": warning PO", StringComparison.Ordinal))
            .Select(l => l[Math.Max(0, l.IndexOf("Program.cs(", StringComparison.Ordinal))..])
            .Select(l => l.EndsWith(']') && l.LastIndexOf(" [", StringComparison.Ordinal) is > 0 and var project ? l[..project] : l)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(l => Position(l).Line).ThenBy(l => Position(l).Column) // MSBuild prints them in no fixed order
            .ToList();
        string[] block = ["```", .. warnings, "```"];
        ReadmeFigure.Print(output, "fresh-build", [.. block.Select((line, i) => (i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), line))]);
        ReadmeFigure.AssertInReadme("fresh-build", block);

        var run = await DotNet.RunAsync(app, Step, "run", "--no-build");
        Assert.True(run.ExitCode == 0, "dotnet run failed:\n" + run.Output);
        // The generated body: the summary task's output limit (200) and tier (balanced → claude-haiku's catalogue
        // entry is not applied without routing, so the model is the caller's), the ticket bound into the user message.
        Assert.Contains("call: max_output_tokens=200 task=summary prompt=App.TicketDesk.SummarizeAsync", run.Output, StringComparison.Ordinal);
        Assert.Contains("user: The app crashes when I open settings.", run.Output, StringComparison.Ordinal);
        Assert.Contains("summary: [simulated gpt-4o-mini]", run.Output, StringComparison.Ordinal);
        Assert.Contains("raw call: max_output_tokens=none", run.Output, StringComparison.Ordinal);
    }

    /// <summary>The (line, column) of a "Program.cs(l,c): warning …" line; (0, 0) when it has none.</summary>
    private static (int Line, int Column) Position(string warning)
    {
        var m = System.Text.RegularExpressions.Regex.Match(warning, @"^Program\.cs\((\d+),(\d+)\)");
        return m.Success ? (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : (0, 0);
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
