using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.PromptCostAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>PO0003 (on [Prompt]), PO0004, PO0005 (on [Prompt]), PO0006 and PO0008.</summary>
public class PromptCostRulesTests
{
    private const string Only = "dotnet_diagnostic.PO0008.severity = none\n";

    private static string Code(string members) => $$"""
        using System.Threading;
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
        {{members}}
        }
        """;

    [Fact]
    public Task PO0003_an_explicit_tier_above_the_tasks_is_reported_and_removed() => V.CodeFixAsync<UseTaskTierCodeFix>(Code("""
            [Prompt(Task = "classification", {|PO0003:Tier = "best"|}, User = "{q}")]
            public partial Task<string> A([MaxInputTokens(100)] string q);
            [Prompt(Task = "contract_analysis", Tier = "best", User = "{q}")]
            public partial Task<string> B([MaxInputTokens(100)] string q);
            [Prompt(Task = "analysis", Tier = "balanced", User = "{q}")]
            public partial Task<string> D([MaxInputTokens(100)] string q);
            public partial Task<string> A(string q) => Task.FromResult(q);
            public partial Task<string> B(string q) => Task.FromResult(q);
            public partial Task<string> D(string q) => Task.FromResult(q);
        """), Code("""
            [Prompt(Task = "classification", User = "{q}")]
            public partial Task<string> A([MaxInputTokens(100)] string q);
            [Prompt(Task = "contract_analysis", Tier = "best", User = "{q}")]
            public partial Task<string> B([MaxInputTokens(100)] string q);
            [Prompt(Task = "analysis", Tier = "balanced", User = "{q}")]
            public partial Task<string> D([MaxInputTokens(100)] string q);
            public partial Task<string> A(string q) => Task.FromResult(q);
            public partial Task<string> B(string q) => Task.FromResult(q);
            public partial Task<string> D(string q) => Task.FromResult(q);
        """), Only);

    [Fact]
    public Task PO0004_personal_data_in_a_cached_prompt_gets_CacheScope() => V.CodeFixAsync<PersonalDataCodeFix>(Code("""
            [Prompt(Task = "short_answer", CacheTtl = "daily", User = "Answer {question} for {customerEmail}")]
            public partial Task<string> A([MaxInputTokens(100)] string question, [MaxInputTokens(100)] string {|PO0004:customerEmail|}, [CacheScope] string userId, CancellationToken ct);
            public partial Task<string> A(string question, string customerEmail, string userId, CancellationToken ct) => Task.FromResult(question);
        """), Code("""
            [Prompt(Task = "short_answer", CacheTtl = "daily", User = "Answer {question} for {customerEmail}")]
            public partial Task<string> A([MaxInputTokens(100)] string question, [MaxInputTokens(100)][CacheScope] string customerEmail, [CacheScope] string userId, CancellationToken ct);
            public partial Task<string> A(string question, string customerEmail, string userId, CancellationToken ct) => Task.FromResult(question);
        """), Only);

    [Fact]
    public Task PO0004_uncached_prompts_and_scoped_or_harmless_parameters_are_quiet() => V.AnalyzerAsync(Code("""
            [Prompt(Task = "short_answer", CacheTtl = "none", User = "Hello {firstName}, {phone}")]
            public partial Task<string> A([MaxInputTokens(10)] string firstName, [MaxInputTokens(10)] string phone);
            [Prompt(Task = "summary", User = "{text} {language}")]
            public partial Task<string> B([MaxInputTokens(10)] string text, [MaxInputTokens(10)] string language);
            public partial Task<string> A(string firstName, string phone) => Task.FromResult(firstName);
            public partial Task<string> B(string text, string language) => Task.FromResult(text);
        """), Only);

    [Fact]
    public Task PO0004_can_instead_turn_caching_off() => V.CodeFixAsync<PersonalDataCodeFix>(Code("""
            [Prompt(Task = "short_answer", User = "Greet {name}")]
            public partial Task<string> A([MaxInputTokens(10)] string {|PO0004:name|});
            public partial Task<string> A(string name) => Task.FromResult(name);
        """), Code("""
            [Prompt(Task = "short_answer", User = "Greet {name}", CacheTtl = "none")]
            public partial Task<string> A([MaxInputTokens(10)] string name);
            public partial Task<string> A(string name) => Task.FromResult(name);
        """), Only, codeActionIndex: 1);

    [Fact]
    public Task PO0005_a_leading_placeholder_ahead_of_static_text_is_reported() => V.AnalyzerAsync(Code("""
            [Prompt(Task = "summary", CacheTtl = "none", {|PO0005:System = "{today} You summarize support tickets for the billing team. Keep the customer's words, list every amount with its currency, mention refunds explicitly, and end with the next step the agent should take."|}, User = "{ticket}")]
            public partial Task<string> A([MaxInputTokens(10)] string today, [MaxInputTokens(10)] string ticket);
            [Prompt(Task = "summary", CacheTtl = "none", System = "You summarize support tickets for the billing team. Keep the customer's words, list every amount with its currency, mention refunds explicitly, and end with the next step. Today: {today}", User = "{ticket}")]
            public partial Task<string> B([MaxInputTokens(10)] string today, [MaxInputTokens(10)] string ticket);
            [Prompt(Task = "summary", User = "{ticket}")]
            public partial Task<string> D([MaxInputTokens(10)] string ticket);
            public partial Task<string> A(string today, string ticket) => Task.FromResult(ticket);
            public partial Task<string> B(string today, string ticket) => Task.FromResult(ticket);
            public partial Task<string> D(string ticket) => Task.FromResult(ticket);
        """), Only);

    [Fact]
    public Task PO0006_unbounded_string_input_gets_MaxInputTokens() => V.CodeFixAsync<AddMaxInputTokensCodeFix>(Code("""
            [Prompt(Task = "summary", User = "{text} ({count} items)")]
            public partial Task<string> A(string {|PO0006:text|}, int count);
            [Prompt(Task = "summary", User = "{text}", MaxInputTokens = 4000)]
            public partial Task<string> B(string text);
            public partial Task<string> A(string text, int count) => Task.FromResult(text);
            public partial Task<string> B(string text) => Task.FromResult(text);
        """), Code("""
            [Prompt(Task = "summary", User = "{text} ({count} items)")]
            public partial Task<string> A([MaxInputTokens(1500)] string text, int count);
            [Prompt(Task = "summary", User = "{text}", MaxInputTokens = 4000)]
            public partial Task<string> B(string text);
            public partial Task<string> A(string text, int count) => Task.FromResult(text);
            public partial Task<string> B(string text) => Task.FromResult(text);
        """), Only + "promptops.default_max_input_tokens = 1500\n");

    [Fact]
    public Task PO0008_estimates_the_cost_of_each_prompt() => V.AnalyzerAsync(Code("""
            [Prompt(Task = "classification", System = "Classify the ticket.", User = "{ticket}")]
            public partial Task<string> {|#0:Classify|}([MaxInputTokens(10)] string ticket);
            public partial Task<string> Classify(string ticket) => Task.FromResult(ticket);
        """), null,
        V.Diagnostic("PO0008").WithLocation(0).WithArguments("Classify", Tokens, 10, "gpt-4o-mini", PerCall, PerCall * 10_000, 10_000));

    private static readonly int Tokens = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens("Classify the ticket.");
    private static readonly decimal PerCall = ((Tokens * 0.15m) + (10 * 0.60m)) / 1_000_000m;
}

public class ExpensiveModelTests
{
    [Fact]
    public Task PO0003_a_top_tier_model_for_a_ten_token_answer_is_replaced() =>
        PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.ExpensiveModelAnalyzer>.CodeFixAsync<UseTaskTierCodeFix>("""
        using Microsoft.Extensions.AI;

        class C
        {
            ChatOptions A() => new() { ModelId = {|PO0003:"gpt-4o"|}, MaxOutputTokens = 5 };
            ChatOptions B() => new() { ModelId = {|PO0003:"claude-3-opus-20240229"|}, MaxOutputTokens = 10 };
            ChatOptions D() => new() { ModelId = "gpt-4o", MaxOutputTokens = 800 };
            ChatOptions E() => new() { ModelId = "gpt-4o-mini", MaxOutputTokens = 5 };
            ChatOptions F() => new() { ModelId = "my-own-model", MaxOutputTokens = 5 };
        }
        """, """
        using Microsoft.Extensions.AI;

        class C
        {
            ChatOptions A() => new() { ModelId = "gpt-4o-mini", MaxOutputTokens = 5 };
            ChatOptions B() => new() { ModelId = "claude-haiku-4-5", MaxOutputTokens = 10 };
            ChatOptions D() => new() { ModelId = "gpt-4o", MaxOutputTokens = 800 };
            ChatOptions E() => new() { ModelId = "gpt-4o-mini", MaxOutputTokens = 5 };
            ChatOptions F() => new() { ModelId = "my-own-model", MaxOutputTokens = 5 };
        }
        """);
}

public class LayoutAndRepetitionTests
{
    private const string Long = "You summarize support tickets for the billing team. Keep the customer's words, list every amount with its currency, mention refunds explicitly, and end with the next step the agent should take.";

    [Fact]
    public Task PO0005_an_interpolated_system_prompt_starting_with_a_dynamic_value_is_reported() =>
        PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.CacheUnfriendlyLayoutAnalyzer>.AnalyzerAsync($$"""
        using System;
        using Microsoft.Extensions.AI;

        class C
        {
            ChatMessage A(DateTime now) => new(ChatRole.System, {|PO0005:$"Today is {now:d}. {{Long}}"|});
            ChatMessage B(string user) => new(ChatRole.System, {|PO0005:user + " {{Long}}"|});
            ChatMessage D(DateTime now) => new(ChatRole.System, $"{{Long}} Today is {now:d}.");
            ChatMessage E(DateTime now) => new(ChatRole.System, $"Today is {now:d}. Be brief.");
        }
        """);

    [Fact]
    public Task PO0007_the_same_long_system_literal_at_several_sites_is_reported_at_each() =>
        PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.RepeatedSystemPromptAnalyzer>.AnalyzerAsync($$"""
        using Microsoft.Extensions.AI;

        class C
        {
            private const string Shared = "{{Long}} (shared)";

            ChatMessage A() => new(ChatRole.System, {|PO0007:"{{Long}}"|});
            ChatMessage B() => new(ChatRole.System, {|PO0007:"{{Long}}"|});
            ChatMessage D() => new(ChatRole.System, Shared);
            ChatMessage E() => new(ChatRole.System, Shared);
            ChatMessage F() => new(ChatRole.System, "Be brief and answer in one sentence, please.");
            ChatMessage G() => new(ChatRole.System, "Be brief and answer in one sentence, please.");
        }
        """);
}
