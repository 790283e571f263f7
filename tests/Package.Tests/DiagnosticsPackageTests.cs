using System.Text.RegularExpressions;

namespace PromptOps.Package.Tests;

/// <summary>
/// The build-time half as a user meets it: the packed package in a fresh console project, <c>dotnet build</c>, and each
/// PO rule at the file, line and column where it applies — on <c>[Prompt]</c> methods whose bodies the generator writes
/// in the same build, and on raw <c>IChatClient</c> and OpenAI SDK code. Then the misuse errors (PO1xxx, and no CS8795),
/// and <c>dotnet format analyzers</c> applying the PO0001/PO0002 fixes to a project that still builds.
/// Expected places are marked in the sources below as <c>⟦PO0001⟧</c> right before the reported text.
/// </summary>
[Trait("Needs", "package")]
public sealed class DiagnosticsPackageTests : IDisposable
{
    private static readonly TimeSpan Step = LocalFeed.Step;
    private static readonly Regex Marker = new("⟦(PO\\d{4})⟧", RegexOptions.CultureInvariant);
    private static readonly Regex Reported = new(@"(?<file>[^\s/\\]+\.cs)\((?<line>\d+),(?<column>\d+)\): (?<severity>warning|error) (?<id>[A-Z]+\d+):", RegexOptions.CultureInvariant);
    private readonly LocalFeed _feed = new("diagnostics");

    public void Dispose() => _feed.Dispose();

    [Fact]
    public async Task Every_rule_fires_in_dotnet_build_at_its_line_and_the_fixes_apply_with_dotnet_format()
    {
        await _feed.PackAsync(Path.Combine("src", "Runtime", "PromptOps.Runtime.csproj"), "PromptOps");
        var app = await _feed.NewConsoleAsync("PromptOps", "Console.WriteLine(\"PromptOps diagnostics\");\n");
        var openAi = await DotNet.RunAsync(app, Step, "add", "package", "OpenAI", "--version", "2.15.0");
        Assert.True(openAi.ExitCode == 0, "dotnet add package OpenAI failed:\n" + openAi.Output);
        // PO0008 (the cost estimate) is an IDE hint (Info), which dotnet build does not print; shown as a warning here.
        await File.WriteAllTextAsync(Path.Combine(app, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.PO0008.severity = warning\n");

        var expected = new List<string>();
        foreach (var (name, marked) in new[] { ("Prompts.cs", Prompts), ("Raw.cs", Raw) })
        {
            var (source, places) = Unmark(name, marked.Replace("VERBOSE", Verbose, StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(app, name), source);
            expected.AddRange(places);
        }

        var build = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal", "--no-incremental");
        Assert.True(build.ExitCode == 0, "dotnet build failed:\n" + build.Output);
        Assert.Equal(expected.Order(StringComparer.Ordinal), Found(build.Output, "PO"));
        Assert.DoesNotContain("AD0001", build.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("CS8785", build.Output, StringComparison.Ordinal);

        // Misuse: each PO1xxx error at the user's code, and no "must have an implementation part" from the compiler.
        var (misuse, misusePlaces) = Unmark("Misuse.cs", Misuse);
        await File.WriteAllTextAsync(Path.Combine(app, "Misuse.cs"), misuse);
        var failed = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal", "--no-incremental");
        Assert.True(failed.ExitCode != 0, "the misused [Prompt] methods built:\n" + failed.Output);
        Assert.Equal(misusePlaces.Order(StringComparer.Ordinal), Found(failed.Output, "PO1"));
        Assert.DoesNotContain("CS8795", failed.Output, StringComparison.Ordinal);
        File.Delete(Path.Combine(app, "Misuse.cs"));

        // The fixes through dotnet format: compressed prompts and output limits, in code that still builds.
        var format = await DotNet.RunAsync(app, Step, "format", "analyzers", "--diagnostics", "PO0001", "PO0002", "--severity", "warn");
        Assert.True(format.ExitCode == 0, "dotnet format failed:\n" + format.Output);
        var prompts = await File.ReadAllTextAsync(Path.Combine(app, "Prompts.cs"));
        var raw = await File.ReadAllTextAsync(Path.Combine(app, "Raw.cs"));
        Assert.Contains("MaxTokens = 500", prompts, StringComparison.Ordinal);
        Assert.DoesNotContain(Verbose, prompts, StringComparison.Ordinal);
        Assert.Contains("MaxOutputTokens = 500", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(Verbose, raw, StringComparison.Ordinal);
        var rebuilt = await DotNet.RunAsync(app, Step, "build", "-nologo", "-v:minimal", "--no-incremental");
        Assert.True(rebuilt.ExitCode == 0, "the project does not build after dotnet format:\n" + rebuilt.Output + "\n" + prompts + "\n" + raw);
        var left = Found(rebuilt.Output, "PO000");
        Assert.DoesNotContain(left, d => d.StartsWith("PO0001", StringComparison.Ordinal));
        Assert.DoesNotContain(left, d => d.StartsWith("PO0002", StringComparison.Ordinal)); // the CompleteChat(params …) call too
        Assert.Contains("MaxOutputTokenCount = 500", raw, StringComparison.Ordinal);
    }

    /// <summary>Removes the markers; returns the source and "ID file(line,column)" for each.</summary>
    private static (string Source, List<string> Places) Unmark(string file, string marked)
    {
        var places = new List<string>();
        var source = new System.Text.StringBuilder();
        var lines = marked.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            Match m;
            while ((m = Marker.Match(line)).Success)
            {
                places.Add($"{m.Groups[1].Value} {file}({i + 1},{m.Index + 1})");
                line = line.Remove(m.Index, m.Length);
            }

            source.Append(line).Append('\n');
        }

        return (source.ToString(), places);
    }

    /// <summary>Distinct "ID file(line,column)" of the diagnostics whose ID starts with <paramref name="prefix"/>.</summary>
    private static List<string> Found(string output, string prefix) =>
        Reported.Matches(output).Select(m => $"{m.Groups["id"].Value} {m.Groups["file"].Value}({m.Groups["line"].Value},{m.Groups["column"].Value})")
            .Where(d => d.StartsWith(prefix, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList();

    private const string Verbose =
        "You are a very helpful, friendly and extremely knowledgeable assistant. Please make sure that you always read the ticket " +
        "carefully and thoroughly before you answer. It is really very important that you basically sort the ticket by what " +
        "it is actually about. Please note that you should always be polite, and please remember to keep in mind that the customer " +
        "is important to us. Thank you very much in advance for your help with this task, we really appreciate it a lot.";

    private const string Prompts = """
        using Microsoft.Extensions.AI;
        using PromptOps;

        namespace App;

        public enum Label { Bug, Billing }

        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "summary", System = ⟦PO0001⟧⟦PO0007⟧"VERBOSE", User = "{ticket}")]
            public partial Task<string> ⟦PO0008⟧SummarizeAsync([MaxInputTokens(500)] string ticket, CancellationToken cancellationToken = default);

            [⟦PO0002⟧Prompt(System = "Answer the question.", User = "{question}")]
            public partial Task<string> ⟦PO0008⟧AnswerAsync([MaxInputTokens(100)] string question);

            [Prompt(Task = "classification", ⟦PO0003⟧Tier = "best", User = "{ticket}")]
            public partial Task<Label> ⟦PO0008⟧ClassifyAsync([MaxInputTokens(100)] string ticket);

            [Prompt(Task = "short_answer", CacheTtl = "daily", User = "Order status for {email}: {question}")]
            public partial Task<string> ⟦PO0008⟧StatusAsync([MaxInputTokens(50)] string ⟦PO0004⟧email, [MaxInputTokens(50)] string question);

            [Prompt(Task = "summary", ⟦PO0005⟧System = "{product}: you answer questions about this product. Keep answers short, cite the manual section, never invent features, and say when you do not know. Answer in the customer's language.", User = "{question}")]
            public partial Task<string> ⟦PO0008⟧ProductAsync([MaxInputTokens(20)] string product, [MaxInputTokens(100)] string question);

            [Prompt(Task = "summary", User = "Summarize: { ticket }")]
            public partial Task<string> ⟦PO0008⟧BriefAsync(string ⟦PO0006⟧ticket);

            [Prompt(Task = "summary", User = "Summarize in {words} words: {ticket}")]
            public partial Task<string> ⟦PO0008⟧BriefAsync([MaxInputTokens(100)] string ticket, int words);

            [Prompt(Task = "summary", System = ⟦PO0007⟧"You are the support assistant of Contoso Electronics. Answer in the customer's language, cite the section of the product manual you used, never promise refunds or replacements, and hand over to a person when the customer asks for one.", User = "{ticket}")]
            public partial Task<string> ⟦PO0008⟧HandOverAsync([MaxInputTokens(100)] string ticket);

            [Prompt(Task = "short_answer", System = ⟦PO0007⟧"You are the support assistant of Contoso Electronics. Answer in the customer's language, cite the section of the product manual you used, never promise refunds or replacements, and hand over to a person when the customer asks for one.", User = "{question}")]
            public partial Task<string> ⟦PO0008⟧ReplyAsync([MaxInputTokens(100)] string question);
        }
        """;

    private const string Raw = """
        using Microsoft.Extensions.AI;
        using OpenAI.Chat;
        using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

        namespace App;

        public static class Raw
        {
            public static async Task<string> AnswerAsync(IChatClient chat, string ticket, string customer)
            {
                var reply = await chat.⟦PO0002⟧GetResponseAsync(
                [
                    new AIChatMessage(ChatRole.System, ⟦PO0001⟧⟦PO0007⟧"VERBOSE"),
                    new AIChatMessage(ChatRole.User, ticket),
                ]);
                var options = new ChatOptions { ModelId = ⟦PO0003⟧"gpt-4o", MaxOutputTokens = 5 };
                var mood = await chat.GetResponseAsync(
                [
                    new AIChatMessage(ChatRole.System, ⟦PO0005⟧$"Customer {customer}. You read support tickets and answer with the customer's mood as one word: happy, neutral or angry. Do not explain the answer, do not add punctuation, and do not repeat the ticket."),
                    new AIChatMessage(ChatRole.User, ticket),
                ], options);
                return reply.Text + mood.Text;
            }

            public static string Complete(ChatClient client, string ticket)
            {
                var completion = client.⟦PO0002⟧CompleteChat(new SystemChatMessage(⟦PO0001⟧⟦PO0007⟧"VERBOSE"), new UserChatMessage(ticket));
                return completion.Value.Content[0].Text;
            }
        }
        """;

    private const string Misuse = """
        using Microsoft.Extensions.AI;
        using PromptOps;

        namespace App;

        public partial class Broken(IChatClient chat)
        {
            [⟦PO1007⟧Prompt(Task = "clasification", User = "{ticket}")]
            public partial Task<string> ClassifyAsync([MaxInputTokens(100)] string ticket);

            [⟦PO1009⟧Prompt(Task = "summary", User = "{tickt}")]
            public partial Task<string> SummarizeAsync([MaxInputTokens(100)] string ⟦PO1010⟧ticket);

            [⟦PO1008⟧Prompt(Task = "summary", CacheTtl = "forever", User = "{ticket}")]
            public partial Task<string> KeepAsync([MaxInputTokens(100)] string ticket);

            [Prompt(Task = "summary", User = "{ticket}")]
            public partial ⟦PO1003⟧Task<object> ObjectAsync([MaxInputTokens(100)] string ticket);
        }

        public partial class NoClient
        {
            [Prompt(Task = "summary", User = "{ticket}")]
            public partial Task<string> ⟦PO1005⟧SummarizeAsync([MaxInputTokens(100)] string ticket);
        }
        """;
}
