using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.Analyzers.Rules;
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
    public Task The_message_gives_tokens_before_and_after_and_the_monthly_saving() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, "{{Verbose}}");
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithSpan(6, 45, 6, 45 + Verbose.Length + 2)
            // 22 tokens, 9 after compression; 13 × 1M × $1/1M saved of 22 × 1M × $1/1M
            .WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "claude-haiku-4-5 (the balanced tier's default)", 13.00m, 22.00m));

    private static readonly object[] VerboseArguments = [22, 9, 13 * 100.0 / 22, "", 10000, "claude-haiku-4-5 (the balanced tier's default)", 0.13m, 0.22m];

    private const string Small = "Classify the ticket as billing or technical. Thank you!";

    [Fact]
    public Task A_small_saving_is_an_info_suggestion_with_the_same_fix() => V.CodeFixAsync<CompressPromptCodeFix>(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|#0:"{{Small}}"|});
        }
        """, Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, "Classify the ticket as billing or technical.");
        }
        """, expected: [V.Diagnostic("PO0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Info)
            .WithArguments(12, 9, 3 * 100.0 / 12, "", 10000, "claude-haiku-4-5 (the balanced tier's default)", 0.03m, 0.12m)]);

    [Fact]
    public Task The_saved_tokens_threshold_makes_a_warning_whatever_the_share() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
        }
        """, "promptops.po0001.min_saved_tokens = 13\npromptops.po0001.min_saved_share = 0.99");

    [Fact]
    public Task Below_both_thresholds_the_same_prompt_is_info() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|#0:"{{Verbose}}"|});
        }
        """, "promptops.po0001.min_saved_tokens = 14\npromptops.po0001.min_saved_share = 0.6",
        V.Diagnostic("PO0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Info).WithArguments(VerboseArguments));

    [Fact]
    public Task The_old_filler_share_key_is_read_when_the_new_one_is_not_set() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|#0:"{{Verbose}}"|});
        }
        """, "promptops.max_filler_share = 0.9",
        V.Diagnostic("PO0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Info).WithArguments(VerboseArguments));

    [Fact]
    public Task The_new_share_key_wins_over_the_old_one() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"{{Verbose}}"|});
        }
        """, "promptops.max_filler_share = 0.9\npromptops.po0001.min_saved_share = 0.5");

    [Fact]
    public Task A_prompt_over_the_size_limit_is_a_warning_even_with_a_small_saving() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|#0:"{{Small}}"|});
        }
        """, "promptops.max_system_prompt_tokens = 5",
        V.Diagnostic("PO0001").WithLocation(0).WithSeverity(DiagnosticSeverity.Warning)
            .WithArguments(12, 9, 3 * 100.0 / 12, ", over the 5-token limit", 10000, "claude-haiku-4-5 (the balanced tier's default)", 0.03m, 0.12m));

    [Fact]
    public Task The_saving_is_priced_on_the_ChatOptions_model_of_the_call() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            async Task M(IChatClient client)
            {
                List<ChatMessage> messages = [new(ChatRole.System, {|#0:"{{Verbose}}"|}), new(ChatRole.User, "hi")];
                var options = new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 10 };
                await client.GetResponseAsync(messages, options);
            }
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithLocation(0).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "gpt-4o", 32.50m, 55.00m)); // $2.50/1M input

    [Fact]
    public Task The_saving_is_priced_on_the_model_an_OpenAI_client_is_created_with() => V.AnalyzerAsync($$"""
        using OpenAI.Chat;

        class C
        {
            private readonly ChatClient _client;

            C(string key) => _client = new ChatClient(model: "gpt-4o-mini", apiKey: key);

            ChatCompletion M() => _client.CompleteChat([new SystemChatMessage({|#0:"{{Verbose}}"|})], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

            ChatCompletion Local(string key)
            {
                ChatClient client = new("gpt-4.1", key);
                ChatMessage[] messages = [ChatMessage.CreateSystemMessage({|#1:"{{Verbose}}"|})];
                return client.CompleteChat(messages, new ChatCompletionOptions { MaxOutputTokenCount = 5 });
            }
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithLocation(0).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "gpt-4o-mini", 1.95m, 3.30m), // $0.15/1M input
        V.Diagnostic("PO0001").WithLocation(1).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "gpt-4.1", 26.00m, 44.00m)); // $2/1M input

    [Fact]
    public Task An_unknown_or_ambiguous_model_is_priced_on_the_tier_default_and_says_so() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            async Task Unknown(IChatClient client)
            {
                List<ChatMessage> messages = [new(ChatRole.System, {|#0:"{{Verbose}}"|})];
                await client.GetResponseAsync(messages, new ChatOptions { ModelId = "my-llm", MaxOutputTokens = 10 });
            }

            async Task Two(IChatClient client)
            {
                List<ChatMessage> messages = [new(ChatRole.System, {|#1:"{{Verbose}}"|})];
                await client.GetResponseAsync(messages, new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 10 });
                await client.GetResponseAsync(messages, new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 10 });
            }
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithLocation(0).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "claude-haiku-4-5 ('my-llm' is not in the price catalogue)", 13.00m, 22.00m),
        V.Diagnostic("PO0001").WithLocation(1).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "claude-haiku-4-5 (the balanced tier's default)", 13.00m, 22.00m));

    [Fact]
    public async Task Under_warnings_as_errors_the_warning_is_an_error_and_the_suggestion_stays_info()
    {
        // What `dotnet build -warnaserror` does: the compiler applies its diagnostic options to analyzer diagnostics.
        var source = Header + $$"""
            class C
            {
                ChatMessage Big() => new(ChatRole.System, "{{Verbose}}");
                ChatMessage Small() => new(ChatRole.System, "{{Small}}");
            }
            """;
        var references = (await Microsoft.CodeAnalysis.Testing.ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None))
            .AddRange(V.Libraries.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        var compilation = CSharpCompilation.Create("App", [CSharpSyntaxTree.ParseText(source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, generalDiagnosticOption: ReportDiagnostic.Error));
        var diagnostics = await compilation.WithAnalyzers([new VerboseSystemPromptAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        var bySeverity = diagnostics.OrderBy(d => d.Location.SourceSpan.Start).Select(d => (d.Id, d.Severity, d.IsWarningAsError)).ToList();
        Assert.Equal([("PO0001", DiagnosticSeverity.Error, true), ("PO0001", DiagnosticSeverity.Info, false)], bySeverity);
    }

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

    [Fact]
    public Task Semantic_Kernel_system_prompts_are_reported_and_compressed() => V.CodeFixAsync<CompressPromptCodeFix>($$"""
        using Microsoft.SemanticKernel.ChatCompletion;

        class C
        {
            ChatHistory A() => new ChatHistory({|PO0001:"{{Verbose}}"|});
            ChatHistory B()
            {
                var history = new ChatHistory();
                history.AddSystemMessage({|PO0001:"{{Verbose}}"|});
                history.AddUserMessage("{{Verbose}}");
                return history;
            }
        }
        """, $$"""
        using Microsoft.SemanticKernel.ChatCompletion;

        class C
        {
            ChatHistory A() => new ChatHistory("{{Compressed}}");
            ChatHistory B()
            {
                var history = new ChatHistory();
                history.AddSystemMessage("{{Compressed}}");
                history.AddUserMessage("{{Verbose}}");
                return history;
            }
        }
        """);

    [Fact]
    public Task Semantic_Kernel_settings_name_the_model() => V.AnalyzerAsync($$"""
        using System.Threading.Tasks;
        using Microsoft.SemanticKernel;
        using Microsoft.SemanticKernel.ChatCompletion;

        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat)
            {
                var history = new ChatHistory({|#0:"{{Verbose}}"|});
                return chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { ModelId = "gpt-4o-mini", ExtensionData = new System.Collections.Generic.Dictionary<string, object> { ["max_tokens"] = 5 } });
            }
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0001").WithLocation(0).WithArguments(22, 9, 13 * 100.0 / 22, "", 1000000, "gpt-4o-mini", 1.95m, 3.30m));
}
