using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer>;

namespace PromptOps.Analyzers.Tests;

public class VerboseSystemPromptTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;

        """;

    private const string Verbose = "You are a very helpful AI assistant. Please classify the ticket as billing or technical. Thank you very much!";
    private const string Compressed = "Classify the ticket as billing or technical.";

    [Fact]
    public Task A_filler_heavy_ChatMessage_system_prompt_is_reported_and_compressed() => V.CodeFixAsync<CompressPromptCodeFix>(Header + $$"""
        class C
        {
            List<ChatMessage> M(string ticket) =>
            [
                new(ChatRole.System, {|PO0001:"{{Verbose}}"|}),
                new(ChatRole.User, ticket),
            ];
        }
        """, Header + $$"""
        class C
        {
            List<ChatMessage> M(string ticket) =>
            [
                new(ChatRole.System, "{{Compressed}}"),
                new(ChatRole.User, ticket),
            ];
        }
        """);

    [Fact]
    public Task System_messages_are_found_whatever_the_syntax_names_the_type() => V.AnalyzerAsync($$"""
        using System.Collections.Generic;
        using Microsoft.Extensions.AI;
        using Msg = Microsoft.Extensions.AI.ChatMessage;

        class C
        {
            // The syntactic pre-filter skips creations whose written or declared type cannot be a system message; these can.
            Msg Aliased() => new Msg(ChatRole.System, {|PO0001:"{{Verbose}}"|});
            Msg AliasedTarget = new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
            ChatMessage? Declared = new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
            Microsoft.Extensions.AI.ChatMessage Qualified { get; } = new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
            List<ChatMessage> Elements = new() { new(ChatRole.System, {|PO0001:"{{Verbose}}"|}) };
            void Local()
            {
                ChatMessage m = new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
                Dictionary<string, string> notAMessage = new(System.StringComparer.Ordinal) { ["k"] = "{{Verbose}}" };
            }
        }
        """);

    [Fact]
    public Task A_global_alias_in_another_file_is_followed() => V.AnalyzerAsync(
        [
            ("Aliases.cs", "global using SystemPrompt = Microsoft.Extensions.AI.ChatMessage;"),
            ("C.cs", $$"""
                using Microsoft.Extensions.AI;

                class C
                {
                    SystemPrompt M() => new SystemPrompt(ChatRole.System, {|PO0001:"{{Verbose}}"|});
                }
                """),
        ]);

    [Fact]
    public Task A_const_field_is_followed_and_the_fix_edits_the_const() => V.CodeFixAsync<CompressPromptCodeFix>(Header + $$"""
        class C
        {
            private const string Instructions = "{{Verbose}}";

            ChatMessage M() => new ChatMessage(ChatRole.System, {|PO0001:Instructions|});
        }
        """, Header + $$"""
        class C
        {
            private const string Instructions = "{{Compressed}}";

            ChatMessage M() => new ChatMessage(ChatRole.System, Instructions);
        }
        """);

    [Fact]
    public Task Prompt_attribute_system_text_is_reported_and_compressed() => V.CodeFixAsync<CompressPromptCodeFix>($$"""
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [Prompt(Task = "classification", System = {|PO0001:"{{Verbose}}"|}, User = "{ticket}")]
            public partial Task<string> ClassifyAsync(string ticket);
            public partial Task<string> ClassifyAsync(string ticket) => Task.FromResult(ticket);
        }
        """, $$"""
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [Prompt(Task = "classification", System = "{{Compressed}}", User = "{ticket}")]
            public partial Task<string> ClassifyAsync(string ticket);
            public partial Task<string> ClassifyAsync(string ticket) => Task.FromResult(ticket);
        }
        """);

    [Fact]
    public Task Interpolations_and_concatenations_are_measured_by_their_literal_parts_and_get_no_fix() => V.AnalyzerAsync(Header + """
        class C
        {
            ChatMessage A(string name) => new(ChatRole.System, {|PO0001:$"You are a very helpful AI assistant. Please greet {name} very politely. Thank you very much!"|});
            ChatMessage B(string name) => new(ChatRole.System, {|PO0001:"You are a very helpful AI assistant. " + "Please greet " + name + " very politely. Thank you very much!"|});
        }
        """);

    [Fact]
    public Task Concise_prompts_and_user_messages_are_quiet() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            List<ChatMessage> M(string ticket) =>
            [
                new(ChatRole.System, "Classify the ticket: billing or technical. Answer with the label only."),
                new(ChatRole.User, "{{Verbose}}"),
            ];
        }
        """);

    [Fact]
    public Task Long_prompts_are_reported_at_the_editorconfig_threshold_even_without_filler() => V.AnalyzerAsync(Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"Classify the ticket as billing, technical, account, shipping, returns, warranty, legal or other. Answer with the label only."|});
        }
        """, "promptops.max_system_prompt_tokens = 10");

    [Fact]
    public Task The_threshold_can_come_from_an_msbuild_property() => V.AnalyzerAsync(Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"Classify the ticket as billing, technical, account, shipping, returns, warranty, legal or other. Answer with the label only."|});
        }
        """, "is_global = true\nbuild_property.PromptOpsMaxSystemPromptTokens = 10");

    [Fact]
    public Task The_editorconfig_key_wins_over_the_msbuild_property() => V.AnalyzerAsync(Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, "Classify the ticket as billing, technical, account, shipping, returns, warranty, legal or other. Answer with the label only.");
        }
        """, "is_global = true\nbuild_property.PromptOpsMaxSystemPromptTokens = 10\n\n[*.cs]\npromptops.max_system_prompt_tokens = 500");

    [Fact]
    public Task The_message_gives_tokens_filler_share_and_monthly_cost() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, "{{Verbose}}");
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithSpan(6, 45, 6, 45 + Verbose.Length + 2)
            .WithArguments(22, 13 * 100.0 / 22, 1000000, "claude-haiku-4-5", 22.00m)); // 22 tokens, 9 after compression; 22 × 1M × $1/1M

    [Fact]
    public Task OpenAI_sdk_system_messages_are_reported() => V.CodeFixAsync<CompressPromptCodeFix>($$"""
        using OpenAI.Chat;

        class C
        {
            ChatMessage A() => new SystemChatMessage({|PO0001:"{{Verbose}}"|});
            ChatMessage B() => ChatMessage.CreateSystemMessage({|PO0001:"{{Verbose}}"|});
        }
        """, $$"""
        using OpenAI.Chat;

        class C
        {
            ChatMessage A() => new SystemChatMessage("{{Compressed}}");
            ChatMessage B() => ChatMessage.CreateSystemMessage("{{Compressed}}");
        }
        """);
}
