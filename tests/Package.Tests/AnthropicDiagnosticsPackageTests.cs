using System.Text.RegularExpressions;

namespace PromptOps.Package.Tests;

/// <summary>
/// The cost rules on Anthropic's official SDK as a user meets them: the packed package and <c>Anthropic</c> 13.15.0 in a
/// fresh console project, <c>dotnet build</c> reporting PO0001 (a verbose <c>System</c> string and text block, priced on
/// the request's model) and PO0002 (a docs-sized <c>MaxTokens</c> on a one-word classifier) at their lines, then
/// <c>dotnet format analyzers</c> applying the PO0001 and PO0002 fixes to code that still builds — where, the classifier's
/// limit now saying it is a label, PO0003 points at its expensive Claude.
/// </summary>
[Trait("Needs", "package")]
public sealed class AnthropicDiagnosticsPackageTests : IDisposable
{
    private static readonly TimeSpan Step = LocalFeed.Step;
    private static readonly Regex Reported = new(@"Requests\.cs\((?<line>\d+),(?<column>\d+)\): warning (?<id>PO\d{4}): (?<message>[^\[]*)", RegexOptions.CultureInvariant);
    private readonly LocalFeed _feed = new("anthropic");

    public void Dispose() => _feed.Dispose();

    private const string Verbose = "You are a very helpful AI assistant. Please classify the ticket as billing or technical. Thank you very much!";

    private const string Requests = $$"""
        using Anthropic;
        using Anthropic.Models.Messages;

        namespace App;

        public static class Requests
        {
            public static Task<Message> ClassifyAsync(AnthropicClient client, string ticket) => client.Messages.Create(new MessageCreateParams
            {
                MaxTokens = 1024,
                System = "{{Verbose}} Reply with one word.",
                Messages = [new UserMessageParam(ticket)],
                Model = "claude-sonnet-4-5",
            });

            public static Task<Message> SummarizeAsync(AnthropicClient client, string ticket) => client.Messages.Create(new MessageCreateParams
            {
                MaxTokens = 300,
                System = new List<TextBlockParam> { new("{{Verbose}}") },
                Messages = [new UserMessageParam(ticket)],
                Model = Model.ClaudeHaiku4_5,
            });
        }
        """;

    [Fact]
    public async Task The_rules_fire_on_Anthropic_requests_in_dotnet_build_and_the_fixes_apply_with_dotnet_format()
    {
        await _feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");
        var app = await _feed.NewConsoleAsync("PromptOps", "Console.WriteLine(\"PromptOps on Anthropic\");\n");
        var sdk = await DotNet.RunAsync(app, Step, "add", "package", "Anthropic", "--version", "13.15.0");
        Assert.True(sdk.ExitCode == 0, "dotnet add package Anthropic failed:\n" + sdk.Output);
        await File.WriteAllTextAsync(Path.Combine(app, "Requests.cs"), Requests);

        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal", "--no-incremental");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.DoesNotContain("AD0001", build.Output, StringComparison.Ordinal);
        var found = Reported.Matches(build.Output).Select(m => (Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value, Message: m.Groups["message"].Value))
            .Distinct().OrderBy(d => d.Line).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
        Assert.Equal([(10, "PO0002"), (11, "PO0001"), (19, "PO0001")], found.Select(d => (d.Line, d.Id)));
        Assert.Contains("on claude-sonnet-4-5 that saves", found[1].Message, StringComparison.Ordinal); // the request's model prices it
        Assert.Contains("on claude-haiku-4-5 that saves", found[2].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tier's default", found[2].Message, StringComparison.Ordinal); // Model.ClaudeHaiku4_5 named it

        var format = await DotNet.RunAsync(app, Step, "format", "analyzers", "--diagnostics", "PO0001", "PO0002", "--severity", "warn");
        Assert.True(format.ExitCode == 0, "dotnet format failed:\n" + format.Output);
        var fixedSource = await File.ReadAllTextAsync(Path.Combine(app, "Requests.cs"));
        Assert.DoesNotContain("very helpful", fixedSource, StringComparison.Ordinal);
        Assert.Contains("Classify the ticket as billing or technical.", fixedSource, StringComparison.Ordinal);
        Assert.DoesNotContain("MaxTokens = 1024", fixedSource, StringComparison.Ordinal);
        var rebuilt = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal", "--no-incremental");
        Assert.True(rebuilt.ExitCode == 0, "the fixed project does not build:\n" + rebuilt.Output + "\n" + fixedSource);
        var left = Reported.Matches(rebuilt.Output).Select(m => (Line: int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), Id: m.Groups["id"].Value)).Distinct().ToList();
        Assert.DoesNotContain(left, d => d.Id is "PO0001" or "PO0002");
        Assert.Contains((13, "PO0003"), left); // MaxTokens = 10 now: a label answered by claude-sonnet-4-5
    }
}
