extern alias generators;
using Microsoft.CodeAnalysis;
using PromptOps.Generators.Tests.Infrastructure;

namespace PromptOps.Generators.Tests;

/// <summary>
/// One misuse test per PO1xxx diagnostic, with the exact location: the text between <c>[|</c> and <c>|]</c> in the
/// source is where the diagnostic must start and end.
/// </summary>
public class DiagnosticTests
{
    private const string Usings = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using PromptOps;

        """;

    private static async Task Verify(string markup, string id, params string[] messageParts)
    {
        var start = markup.IndexOf("[|", StringComparison.Ordinal);
        var end = markup.IndexOf("|]", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "The test source must mark the expected span with [| |].");
        var source = markup.Remove(end, 2).Remove(start, 2);
        var expected = new Microsoft.CodeAnalysis.Text.TextSpan(start, end - start - 2);

        var diagnostics = await GeneratorHarness.AnalyzeAsync(Usings + source);
        var match = diagnostics.Where(d => d.Id == id).ToList();
        Assert.True(match.Count == 1, $"Expected one {id}, got: {string.Join("; ", diagnostics.Select(d => d.Id + " " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)))}");
        var diagnostic = match[0];
        var shift = Usings.Length;
        Assert.Equal(expected, new Microsoft.CodeAnalysis.Text.TextSpan(diagnostic.Location.SourceSpan.Start - shift, diagnostic.Location.SourceSpan.Length));
        var message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message, StringComparison.Ordinal);
        Assert.StartsWith("https://", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.EndsWith($"docs/rules/{id}.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
    }

    [Fact]
    public Task PO1001_not_partial() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public Task<string> [|Ask|](string x) => Task.FromResult(x);
        }
        """, "PO1001", "'Ask'", "partial");

    [Fact]
    public Task PO1002_has_a_body() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial Task<string> [|Ask|](string x);
            public partial Task<string> Ask(string x) => Task.FromResult(x);
        }
        """, "PO1002", "'Ask'", "remove the implementation");

    [Fact]
    public Task PO1003_unsupported_return_type() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial [|Task|] Ask(string x);
        }
        """, "PO1003", "'Ask'", "Task<T>");

    [Fact]
    public Task PO1003_object_is_not_a_result_type() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial [|Task<object>|] Ask(string x);
        }
        """, "PO1003", "object");

    [Fact]
    public Task PO1004_ref_parameter() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial Task<string> Ask(ref string [|x|]);
        }
        """, "PO1004", "'x'", "'ref'");

    [Fact]
    public Task PO1004_params_parameter() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial Task<string> Ask(params string[] [|x|]);
        }
        """, "PO1004", "'params'");

    [Fact]
    public Task PO1005_no_chat_client() => Verify("""
        public partial class C
        {
            [Prompt(User = "{x}")]
            public partial Task<string> [|Ask|](string x);
        }
        """, "PO1005", "'Ask'", "IChatClient");

    [Fact]
    public Task PO1005_static_method_without_client_parameter() => Verify("""
        public static partial class C
        {
            [Prompt(User = "{x}")]
            public static partial Task<string> [|Ask|](string x);
        }
        """, "PO1005", "first parameter");

    [Fact]
    public Task PO1006_several_chat_clients() => Verify("""
        public partial class C(IChatClient fast)
        {
            private readonly IChatClient _slow = fast;

            [Prompt(User = "{x}")]
            public partial Task<string> [|Ask|](string x);
        }
        """, "PO1006", "'_slow'", "'fast'");

    [Fact]
    public Task PO1007_unknown_task() => Verify("""
        public partial class C(IChatClient chat)
        {
            [|[Prompt(Task = "clasification", User = "{x}")]|]
            public partial Task<string> Ask(string x);
        }
        """.Replace("[|[Prompt", "[[|Prompt", StringComparison.Ordinal).Replace(")]|]", ")|]]", StringComparison.Ordinal), "PO1007", "'clasification'", "classification");

    [Fact]
    public Task PO1008_invalid_ttl() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(CacheTtl = "forever", User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1008", "'forever'", "static");

    [Fact]
    public Task PO1009_placeholder_without_parameter() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(User = "{x} and {y}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1009", "'{y}'", "'y'");

    [Fact]
    public Task PO1010_unused_parameter() => Verify("""
        public partial class C(IChatClient chat)
        {
            [Prompt(User = "{x}")]
            public partial Task<string> Ask(string x, string [|y|]);
        }
        """, "PO1010", "'y'");

    [Fact]
    public Task PO1011_invalid_tier() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Tier = "premium", User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1011", "'premium'", "fast_cheap");

    [Fact]
    public Task PO1011_temperature_out_of_range() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Temperature = 3.5, User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1011", "3.5");

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    [InlineData("-0.2")]
    public Task PO1011_semantic_threshold_out_of_range(string value) => Verify($$"""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(SemanticThreshold = {{value}}, User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1011", "SemanticThreshold must be in (0, 1]", value);

    [Theory]
    [InlineData("truncate")]
    [InlineData("")]
    public Task PO1011_invalid_truncation_policy(string value) => Verify($$"""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(OnTruncation = "{{value}}", User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1011", "OnTruncation '" + value + "' is not a truncation policy", "return, throw, retry");

    [Fact]
    public async Task Truncation_policies_are_accepted_ignoring_case()
    {
        foreach (var value in new[] { "return", "Throw", " RETRY " })
        {
            var diagnostics = await GeneratorHarness.AnalyzeAsync(Usings + $$"""
                public partial class C(IChatClient chat)
                {
                    [Prompt(OnTruncation = "{{value}}", User = "{x}")]
                    public partial Task<string> Ask(string x);
                }
                """);
            Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("PO1", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public Task PO1012_semantic_threshold_with_no_caching() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(CacheTtl = "none", SemanticThreshold = 0.9, User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1012", "SemanticThreshold of 'Ask' has no effect");

    [Fact]
    public Task PO1012_scope_with_no_caching() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(CacheTtl = "none", User = "{x}")|]]
            public partial Task<string> Ask(string x, [CacheScope] string user);
        }
        """, "PO1012", "CacheTtl is 'none'");

    [Theory]
    [InlineData("int", "Minimum = 5, Maximum = 1", "Minimum 5 of 'Ask' is above its Maximum 1")]
    [InlineData("string", "Minimum = 1", "Minimum and Maximum of 'Ask' apply to number results only")]
    public Task PO1011_invalid_number_range(string type, string range, string message) => Verify($$"""
        public partial class C(IChatClient chat)
        {
            [[|Prompt({{range}}, User = "{x}")|]]
            public partial Task<{{type}}> Ask(string x);
        }
        """, "PO1011", message);

    [Fact]
    public Task PO1012_length_on_a_typed_result() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Task = "yes_no", Length = "5 words", User = "{x}")|]]
            public partial Task<bool> Ask(string x);
        }
        """, "PO1012", "Length of 'Ask' has no effect");

    [Theory]
    [InlineData("forty words", "does not start with a count")]
    [InlineData("40 paragraphs", "has no known unit")]
    [InlineData("0 words", "must be at least 1")]
    [InlineData("100 characters", "characters, which is for Japanese prompts")]
    public Task PO1016_invalid_length(string value, string message) => Verify($$"""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Task = "summary", Length = "{{value}}", User = "Summarize {x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1016", "'" + value + "'", message);

    [Fact]
    public Task PO1016_words_for_a_japanese_prompt() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Task = "summary", Length = "40 words", User = "{x}を要約してください。")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1016", "the prompt is Japanese", "'40文字'");

    [Fact]
    public Task PO1017_length_does_not_fit_the_limit() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Task = "short_answer", Length = "3 sentences", User = "{x}")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1017", "'3 sentences'", "'Ask'", "117 tokens", "MaxTokens 50", "at least 141");

    [Fact]
    public async Task Lengths_that_fit_and_none_have_no_diagnostics()
    {
        foreach (var (length, user) in new[] { ("40 words", "{x}"), ("2 sentences", "{x}"), ("", "{x}"), ("60文字", "{x}を説明して"), ("40 characters", "{x}について") })
        {
            var diagnostics = await GeneratorHarness.AnalyzeAsync(Usings + $$"""
                public partial class C(IChatClient chat)
                {
                    [Prompt(Task = "short_answer", MaxTokens = 100, Length = "{{length}}", User = "{{user}}")]
                    public partial Task<string> Ask(string x);
                }
                """);
            Assert.Empty(diagnostics.Where(d => d.Id.StartsWith("PO1", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public Task PO1013_containing_type_not_partial() => Verify("""
        public class [|C|]
        {
            private readonly IChatClient _chat = null!;

            [Prompt(User = "{x}")]
            public partial Task<string> Ask(string x);
        }
        """, "PO1013", "'C'", "'Ask'");

    [Fact]
    public Task PO1014_malformed_template() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(User = "{x} costs {")|]]
            public partial Task<string> Ask(string x);
        }
        """, "PO1014", "unmatched '{'", "position 10");

    [Fact]
    public Task PO1015_empty_prompt() => Verify("""
        public partial class C(IChatClient chat)
        {
            [[|Prompt(Task = "summary")|]]
            public partial Task<string> Ask();
        }
        """, "PO1015", "'Ask'");

    [Fact]
    public async Task A_correct_method_has_no_diagnostics_and_compiles()
    {
        const string source = """
            public partial class C(IChatClient chat)
            {
                [Prompt(Task = "summary", CacheTtl = "daily", System = "Summarize.", User = "{text}")]
                public partial Task<string> SummarizeAsync(string text, [CacheScope] string tenant, CancellationToken ct = default);
            }
            """;
        Assert.Empty(await GeneratorHarness.AnalyzeAsync(Usings + source));
        Assert.Empty(GeneratorHarness.Run(Usings + source).Errors);
    }

    [Fact]
    public async Task A_method_with_errors_gets_a_throwing_body_and_the_diagnostic()
    {
        const string Source = """
            public partial class C(IChatClient chat)
            {
                [Prompt(Task = "nope", User = "{x}")]
                public partial Task<string> Ask(string x);
            }
            """;
        var (generated, errors, _) = GeneratorHarness.Run(Usings + Source);
        var body = Assert.Single(generated).SourceText.ToString();
        Assert.Contains("public partial global::System.Threading.Tasks.Task<string> Ask(string x)", body, StringComparison.Ordinal);
        Assert.Contains("=> throw new global::System.InvalidOperationException(", body, StringComparison.Ordinal);
        Assert.DoesNotContain("GetResponseAsync", body, StringComparison.Ordinal);
        Assert.Empty(errors); // no CS8795: the build's error is PO1007 alone
        Assert.Contains(await GeneratorHarness.AnalyzeAsync(Usings + Source), d => d.Id == "PO1007");
    }

    [Fact]
    public void A_method_that_cannot_take_a_body_gets_none()
    {
        var (generated, _, _) = GeneratorHarness.Run(Usings + """
            public class C(IChatClient chat)
            {
                [Prompt(User = "{x}")]
                public partial Task<string> Ask(string x);
            }
            """);
        Assert.Empty(generated); // a type that is not partial (PO1013) cannot take a generated part
    }

    [Fact]
    public void Each_problem_has_a_descriptor_whose_severity_matches_the_parser()
    {
        foreach (var problem in Enum.GetValues<generators::PromptOps.Generators.Parsing.PromptProblem>())
        {
            var descriptor = generators::PromptOps.Generators.Diagnostics.DiagnosticDescriptors.For(problem);
            var isError = generators::PromptOps.Generators.Parsing.ParseDiagnostic.IsError(problem);
            Assert.Equal(isError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, descriptor.DefaultSeverity);
        }

        Assert.Equal(Enum.GetValues<generators::PromptOps.Generators.Parsing.PromptProblem>().Length, generators::PromptOps.Generators.Diagnostics.DiagnosticDescriptors.All.Length);
    }

    [Fact]
    public void Every_diagnostic_has_a_docs_page_and_a_release_entry()
    {
        var root = Path.GetFullPath(Path.Combine(GeneratorHarness.SourceDirectory(), "..", ".."));
        var unshipped = File.ReadAllText(Path.Combine(root, "src", "Generators", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in new generators::PromptOps.Generators.PromptMethodAnalyzer().SupportedDiagnostics)
        {
            var page = Path.Combine(root, "docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}");
            Assert.Contains("# " + descriptor.Id, File.ReadAllText(page), StringComparison.Ordinal);
            Assert.Contains(descriptor.Id + " |", unshipped, StringComparison.Ordinal);
        }
    }
}
