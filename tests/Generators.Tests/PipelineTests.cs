using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Text;
using PromptOps.Generators.Tests.Infrastructure;

namespace PromptOps.Generators.Tests;

/// <summary>
/// The generator and every PromptOps analyzer in one compilation, as in <c>dotnet build</c>: each cost rule that applies
/// to <c>[Prompt]</c> methods fires on a method whose body the generator wrote, at the user's declaration, and a misused
/// method shows its PO1xxx error instead of the compiler's CS8795. Expected diagnostics are marked in the source as
/// <c>{|PO0001:text|}</c>; the listed rule IDs must appear exactly there and nowhere else.
/// </summary>
public class PipelineTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using PromptOps;

        namespace App;

        """;

    private const string Verbose =
        "You are a very helpful, friendly and extremely knowledgeable assistant. Please make sure that you always read the ticket " +
        "carefully and thoroughly before you answer. It is really very important that you basically classify the ticket by what " +
        "it is actually about. Please note that you should always be polite, and please remember to keep in mind that the customer " +
        "is important to us. Thank you very much in advance for your help with this task, we really appreciate it a lot.";

    private static readonly Regex Marker = new(@"\{\|(?<id>PO\d{4}):(?<text>.*?)\|\}", RegexOptions.Singleline);

    private static async Task<PipelineResult> Expect(string markup, params string[] checkedIds)
    {
        var expected = new List<(string Id, TextSpan Span)>();
        var source = Header;
        var last = 0;
        markup = markup.Replace("VERBOSE", Verbose, StringComparison.Ordinal);
        foreach (Match m in Marker.Matches(markup))
        {
            source += markup[last..m.Index];
            expected.Add((m.Groups["id"].Value, new TextSpan(source.Length, m.Groups["text"].Length)));
            source += m.Groups["text"].Value;
            last = m.Index + m.Length;
        }

        source += markup[last..];
        var result = await PipelineHarness.RunAsync(source);
        Assert.True(result.Crashes.IsEmpty, result.Describe());
        var actual = result.Diagnostics.Where(d => checkedIds.Contains(d.Id)).Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(d => d.SourceSpan.Start).ThenBy(d => d.Id).ToList();
        Assert.True(
            expected.OrderBy(e => e.Span.Start).ThenBy(e => e.Id).SequenceEqual(actual),
            $"expected {string.Join(", ", expected.Select(e => e.Id + "@" + e.Span))}\nactual:\n{result.Describe()}");
        return result;
    }

    [Fact]
    public async Task PO0001_a_verbose_system_prompt_on_a_generated_method()
    {
        var result = await Expect("""
            public partial class Desk(IChatClient chat)
            {
                [Prompt(Task = "summary", System = {|PO0001:"VERBOSE"|}, User = "{ticket}")]
                public partial Task<string> SummarizeAsync([MaxInputTokens(500)] string ticket, CancellationToken cancellationToken = default);
            }
            """, "PO0001");
        Assert.Single(result.Generated); // the body was generated: the method counts as the user's, not as generated code
        Assert.Empty(result.CompilerErrors);
    }

    [Fact]
    public Task PO0001_follows_a_const() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            private const string Instructions = "VERBOSE";

            [Prompt(Task = "summary", System = {|PO0001:Instructions|}, User = "{ticket}")]
            public partial Task<string> SummarizeAsync([MaxInputTokens(500)] string ticket);
        }
        """, "PO0001");

    [Fact]
    public Task PO0002_no_task_and_no_max_tokens() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            {|PO0002:Prompt(System = "Answer.", User = "{question}")|}]
            public partial Task<string> AnswerAsync([MaxInputTokens(100)] string question);

            [Prompt(MaxTokens = 50, User = "{question}")]
            public partial Task<string> BoundedAsync([MaxInputTokens(100)] string question);

            [Prompt(Task = "short_answer", User = "{question}")]
            public partial Task<string> TaskAsync([MaxInputTokens(100)] string question);
        }
        """.Replace("{|PO0002:Prompt", "[{|PO0002:Prompt", StringComparison.Ordinal), "PO0002");

    [Fact]
    public Task PO0003_a_tier_above_the_tasks() => Expect("""
        public enum Label { Bug, Billing }

        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "classification", {|PO0003:Tier = "best"|}, User = "{ticket}")]
            public partial Task<Label> ClassifyAsync([MaxInputTokens(100)] string ticket);
        }
        """, "PO0003");

    [Fact]
    public Task PO0004_personal_data_in_a_shared_cache() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "short_answer", CacheTtl = "daily", User = "Status of the order of {email}: {question}")]
            public partial Task<string> StatusAsync([MaxInputTokens(50)] string {|PO0004:email|}, [MaxInputTokens(50)] string question);

            [Prompt(Task = "short_answer", CacheTtl = "daily", User = "Status of the order of {email}: {question}")]
            public partial Task<string> ScopedAsync([CacheScope, MaxInputTokens(50)] string email, [MaxInputTokens(50)] string question);

            [Prompt(Task = "short_answer", CacheTtl = "none", User = "Status of the order of {email}: {question}")]
            public partial Task<string> UncachedAsync([MaxInputTokens(50)] string email, [MaxInputTokens(50)] string question);
        }
        """, "PO0004");

    [Fact]
    public Task PO0009_a_prompt_about_the_present_cached_for_a_day() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "short_answer", {|PO0009:CacheTtl = "daily"|}, User = "What is today's exchange rate for {currency}?")]
            public partial Task<string> RateAsync([MaxInputTokens(10)] string currency);

            [Prompt(Task = "short_answer", CacheTtl = "realtime", User = "What is today's exchange rate for {currency}?")]
            public partial Task<string> FreshRateAsync([MaxInputTokens(10)] string currency);

            [Prompt(Task = "short_answer", {|PO0009:CacheTtl = "static"|}, System = "最新の情報で答えてください。", User = "{question}")]
            public partial Task<string> LatestAsync([MaxInputTokens(10)] string question);

            [Prompt(Task = "short_answer", CacheTtl = "static", User = "Define {term}.")]
            public partial Task<string> DefineAsync([MaxInputTokens(10)] string term);
        }
        """, "PO0009");

    [Fact]
    public Task PO0005_a_leading_placeholder_ahead_of_static_text() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "summary", {|PO0005:System = "{product}: you answer questions about this product. Keep answers short, cite the manual section, never invent features, and say when you do not know. Answer in the customer's language."|}, User = "{question}")]
            public partial Task<string> AnswerAsync([MaxInputTokens(20)] string product, [MaxInputTokens(100)] string question);
        }
        """, "PO0005");

    [Fact]
    public Task PO0006_unbounded_input_with_the_generators_template_grammar() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "summary", User = "Summarize: { ticket }")]
            public partial Task<string> SummarizeAsync(string {|PO0006:ticket|});

            [Prompt(Task = "translation", User = "{texte}")]
            public partial Task<string> TranslateAsync(string {|PO0006:texte|}, CancellationToken cancellationToken);

            [Prompt(Task = "summary", User = "{ticket}")]
            public partial Task<string> BoundedAsync([MaxInputTokens(100)] string ticket);

            [Prompt(Task = "summary", MaxInputTokens = 1000, User = "{ticket}")]
            public partial Task<string> PromptBoundedAsync(string ticket);
        }
        """, "PO0006");

    [Fact]
    public Task PO0007_the_same_system_prompt_in_two_prompts() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "summary", System = {|PO0007:"You are the support assistant of Contoso Electronics. Answer in the customer's language, cite the section of the product manual you used, never promise refunds or replacements, and hand over to a person when the customer asks for one."|}, User = "{ticket}")]
            public partial Task<string> SummarizeAsync([MaxInputTokens(100)] string ticket);

            [Prompt(Task = "short_answer", System = {|PO0007:"You are the support assistant of Contoso Electronics. Answer in the customer's language, cite the section of the product manual you used, never promise refunds or replacements, and hand over to a person when the customer asks for one."|}, User = "{question}")]
            public partial Task<string> AnswerAsync([MaxInputTokens(100)] string question);
        }
        """, "PO0007");

    [Fact]
    public Task PO0008_the_cost_estimate_on_the_method_name() => Expect("""
        public partial class Desk(IChatClient chat)
        {
            [Prompt(Task = "summary", System = "Summarize the ticket.", User = "{ticket}")]
            public partial Task<string> {|PO0008:SummarizeAsync|}([MaxInputTokens(100)] string ticket);
        }
        """, "PO0008");

    [Fact]
    public async Task Overloads_compile_and_are_judged_separately()
    {
        var result = await Expect("""
            public partial class Desk(IChatClient chat)
            {
                [Prompt(Task = "summary", User = "{ticket}")]
                public partial Task<string> SummarizeAsync(string {|PO0006:ticket|});

                [Prompt(Task = "summary", User = "{ticket} ({words} words)")]
                public partial Task<string> SummarizeAsync(string {|PO0006:ticket|}, int words);
            }
            """, "PO0006");
        Assert.Empty(result.CompilerErrors);
        var text = result.Generated.Single().SourceText.ToString();
        Assert.Contains("PromptId = \"App.Desk.SummarizeAsync(string)\"", text, StringComparison.Ordinal);
        Assert.Contains("PromptId = \"App.Desk.SummarizeAsync(string, int)\"", text, StringComparison.Ordinal);
        Assert.Contains("__PromptOps_SummarizeAsync_1_Metadata", text, StringComparison.Ordinal);
        Assert.Contains("__PromptOps_SummarizeAsync_2_Metadata", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PO1007", """[Prompt(Task = "clasification", User = "{ticket}")] public partial Task<string> A(string ticket);""")]
    [InlineData("PO1008", """[Prompt(CacheTtl = "forever", User = "{ticket}")] public partial Task<string> A(string ticket);""")]
    [InlineData("PO1009", """[Prompt(User = "{tickt}")] public partial Task<string> A(string ticket);""")]
    [InlineData("PO1003", """[Prompt(User = "{ticket}")] public partial Task<object> A(string ticket);""")]
    [InlineData("PO1011", """[Prompt(Tier = "cheapest", User = "{ticket}")] public partial Task<string> A(string ticket);""")]
    [InlineData("PO1014", """[Prompt(User = "{ticket")] public partial Task<string> A(string ticket);""")]
    [InlineData("PO1015", """[Prompt] public partial Task<string> A();""")]
    public async Task A_misused_method_shows_its_PO1xxx_error_and_no_CS8795(string id, string member)
    {
        var result = await PipelineHarness.RunAsync(Header + "public partial class Desk(IChatClient chat)\n{\n    " + member + "\n}\n");
        Assert.Contains(id, result.Ids);
        Assert.True(result.CompilerErrors.IsEmpty, result.Describe());
        Assert.True(result.Crashes.IsEmpty, result.Describe());
    }

    [Fact]
    public async Task A_type_without_a_chat_client_shows_PO1005_and_no_CS8795()
    {
        var result = await PipelineHarness.RunAsync(Header + """
            public partial class Desk
            {
                [Prompt(Task = "summary", User = "{ticket}")]
                public partial Task<string> SummarizeAsync([MaxInputTokens(100)] string ticket);
            }
            """);
        Assert.Equal(["PO1005", "PO0008"], result.Ids.Order(StringComparer.Ordinal).Reverse());
        Assert.True(result.CompilerErrors.IsEmpty, result.Describe());
    }
}
