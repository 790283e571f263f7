using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.TimeSensitivePromptAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>PO0009: a [Prompt] cached for long whose template asks about the present.</summary>
public class TimeSensitivePromptTests
{
    private static string Code(string members) => $$"""
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
        {{members}}
        }
        """;

    [Fact]
    public Task PO0009_a_long_ttl_on_a_prompt_about_the_present_is_reported_and_set_to_realtime() => V.CodeFixAsync<TimeSensitiveCacheTtlCodeFix>(Code("""
            [Prompt(Task = "short_answer", {|PO0009:CacheTtl = "daily"|}, User = "What is today's exchange rate for {currency}?")]
            public partial Task<string> A([MaxInputTokens(10)] string currency);
            [Prompt(Task = "short_answer", {|PO0009:CacheTtl = "static"|}, System = "現在の為替レートを答えてください。", User = "{currency}")]
            public partial Task<string> B([MaxInputTokens(10)] string currency);
            public partial Task<string> A(string currency) => Task.FromResult(currency);
            public partial Task<string> B(string currency) => Task.FromResult(currency);
        """), Code("""
            [Prompt(Task = "short_answer", CacheTtl = "realtime", User = "What is today's exchange rate for {currency}?")]
            public partial Task<string> A([MaxInputTokens(10)] string currency);
            [Prompt(Task = "short_answer", CacheTtl = "realtime", System = "現在の為替レートを答えてください。", User = "{currency}")]
            public partial Task<string> B([MaxInputTokens(10)] string currency);
            public partial Task<string> A(string currency) => Task.FromResult(currency);
            public partial Task<string> B(string currency) => Task.FromResult(currency);
        """));

    [Fact]
    public Task PO0009_the_message_names_the_ttl_the_template_and_the_marker() => V.AnalyzerAsync(Code("""
            [Prompt(Task = "summary", {|#0:CacheTtl = "1h"|}, System = "Summarise the latest release notes.", User = "{notes}")]
            public partial Task<string> A([MaxInputTokens(10)] string notes);
            public partial Task<string> A(string notes) => Task.FromResult(notes);
        """), null,
        V.Diagnostic("PO0009").WithLocation(0).WithArguments("01:00:00", "System", "A", "latest"));

    [Fact]
    public Task PO0009_short_or_no_ttl_and_prompts_that_do_not_ask_about_the_present_are_quiet() => V.AnalyzerAsync(Code("""
            [Prompt(Task = "short_answer", CacheTtl = "realtime", User = "What is the rate today for {currency}?")]
            public partial Task<string> A([MaxInputTokens(10)] string currency);
            [Prompt(Task = "short_answer", CacheTtl = "2m", User = "最新の価格は？ {item}")]
            public partial Task<string> B([MaxInputTokens(10)] string item);
            [Prompt(Task = "short_answer", CacheTtl = "none", User = "What is the rate now? {currency}")]
            public partial Task<string> D([MaxInputTokens(10)] string currency);
            [Prompt(Task = "short_answer", User = "What is the weather today in {city}?")]
            public partial Task<string> E([MaxInputTokens(10)] string city);
            [Prompt(Task = "classification", CacheTtl = "static", System = "Classify the current message by topic.", User = "{text}")]
            public partial Task<string> F([MaxInputTokens(10)] string text);
            [Prompt(Task = "translation", CacheTtl = "static", System = "現在形の文を過去形に書き換えてください。", User = "{text}")]
            public partial Task<string> G([MaxInputTokens(10)] string text);
            [Prompt(Task = "short_answer", CacheTtl = "static", User = "Define {today}.")]
            public partial Task<string> H([MaxInputTokens(10)] string today);
            public partial Task<string> A(string currency) => Task.FromResult(currency);
            public partial Task<string> B(string item) => Task.FromResult(item);
            public partial Task<string> D(string currency) => Task.FromResult(currency);
            public partial Task<string> E(string city) => Task.FromResult(city);
            public partial Task<string> F(string text) => Task.FromResult(text);
            public partial Task<string> G(string text) => Task.FromResult(text);
            public partial Task<string> H(string today) => Task.FromResult(today);
        """));
}
