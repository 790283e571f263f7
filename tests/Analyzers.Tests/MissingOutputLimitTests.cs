using PromptOps.Analyzers.Rules;
using PromptOps.Analyzers.Tests.Infrastructure;
using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer>;

namespace PromptOps.Analyzers.Tests;

public class MissingOutputLimitTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;

        """;

    [Fact]
    public Task Call_without_options_is_reported_and_fixed() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.{|PO0002:GetResponseAsync|}("Hello");
                await chat.{|PO0002:GetResponseAsync|}(new List<ChatMessage> { new(ChatRole.User, "Hi") });
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.GetResponseAsync("Hello", options: new ChatOptions() { MaxOutputTokens = 500 });
                await chat.GetResponseAsync(new List<ChatMessage> { new(ChatRole.User, "Hi") }, options: new ChatOptions() { MaxOutputTokens = 500 });
            }
        }
        """);

    [Fact]
    public Task Options_without_the_limit_get_it_added_to_their_initializer() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.{|PO0002:GetResponseAsync|}("Hello", new ChatOptions { Temperature = 0 });
                await foreach (var u in chat.{|PO0002:GetStreamingResponseAsync|}("Hello", new ChatOptions())) { }
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.GetResponseAsync("Hello", new ChatOptions { Temperature = 0, MaxOutputTokens = 500 });
                await foreach (var u in chat.GetStreamingResponseAsync("Hello", new ChatOptions() { MaxOutputTokens = 500 })) { }
            }
        }
        """);

    [Fact]
    public Task A_local_options_object_is_followed_and_fixed_at_its_declaration() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                var options = new ChatOptions { ModelId = "gpt-4o-mini" };
                options.Temperature = 0.2f;
                await chat.{|PO0002:GetResponseAsync|}("Hello", options);
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                var options = new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 500 };
                options.Temperature = 0.2f;
                await chat.GetResponseAsync("Hello", options);
            }
        }
        """);

    [Fact]
    public Task Null_options_are_replaced() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            Task M(IChatClient chat) => chat.{|PO0002:GetResponseAsync|}("Hello", null);
        }
        """, Header + """
        class C
        {
            Task M(IChatClient chat) => chat.GetResponseAsync("Hello", new ChatOptions() { MaxOutputTokens = 500 });
        }
        """);

    [Fact]
    public Task Limits_set_anywhere_the_analyzer_can_see_and_options_it_cannot_see_are_quiet() => V.AnalyzerAsync(Header + """
        class C
        {
            private readonly ChatOptions _shared = new();

            async Task M(IChatClient chat, ChatOptions fromCaller)
            {
                await chat.GetResponseAsync("a", new ChatOptions { MaxOutputTokens = 10 });
                var local = new ChatOptions();
                local.MaxOutputTokens = 20;
                await chat.GetResponseAsync("b", local);
                await chat.GetResponseAsync("c", fromCaller);
                await chat.GetResponseAsync("d", _shared);
                await chat.GetResponseAsync("e", Make());
                var reassigned = new ChatOptions();
                reassigned = Make();
                await chat.GetResponseAsync("f", reassigned);
            }

            static ChatOptions Make() => new() { MaxOutputTokens = 5 };
        }
        """);

    [Fact]
    public Task The_suggested_limit_comes_from_editorconfig() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            Task M(IChatClient chat) => chat.{|PO0002:GetResponseAsync|}("Hello");
        }
        """, Header + """
        class C
        {
            Task M(IChatClient chat) => chat.GetResponseAsync("Hello", options: new ChatOptions() { MaxOutputTokens = 256 });
        }
        """, editorConfig: "promptops.default_max_output_tokens = 256");

    [Fact]
    public Task OpenAI_sdk_calls_without_MaxOutputTokenCount_are_reported_and_fixed() => V.CodeFixAsync<AddOutputLimitCodeFix>("""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using OpenAI.Chat;

        class C
        {
            async Task M(ChatClient chat, List<ChatMessage> messages)
            {
                await chat.{|PO0002:CompleteChatAsync|}(messages);
                await chat.{|PO0002:CompleteChatAsync|}(messages, new ChatCompletionOptions { Temperature = 0 });
                await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 50 });
            }
        }
        """, """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using OpenAI.Chat;

        class C
        {
            async Task M(ChatClient chat, List<ChatMessage> messages)
            {
                await chat.CompleteChatAsync(messages, options: new ChatCompletionOptions() { MaxOutputTokenCount = 500 });
                await chat.CompleteChatAsync(messages, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 500 });
                await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 50 });
            }
        }
        """);

    [Fact]
    public Task The_params_overload_of_the_OpenAI_sdk_is_reported_without_a_fix() => V.AnalyzerAsync("""
        using System.Threading.Tasks;
        using OpenAI.Chat;

        class C
        {
            Task M(ChatClient chat) => chat.{|PO0002:CompleteChatAsync|}(new UserChatMessage("Hi"));
        }
        """);

    [Fact]
    public Task Prompt_methods_without_task_or_MaxTokens_are_reported_and_fixed() => V.CodeFixAsync<AddOutputLimitCodeFix>("""
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [{|PO0002:Prompt(User = "{q}")|}]
            public partial Task<string> AskAsync(string q);

            [Prompt(Task = "summary", User = "{q}")]
            public partial Task<string> SummarizeAsync(string q);

            [Prompt(MaxTokens = 40, User = "{q}")]
            public partial Task<string> ShortAsync(string q);

            public partial Task<string> AskAsync(string q) => Task.FromResult(q);
            public partial Task<string> SummarizeAsync(string q) => Task.FromResult(q);
            public partial Task<string> ShortAsync(string q) => Task.FromResult(q);
        }
        """, """
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [Prompt(User = "{q}", MaxTokens = 500)]
            public partial Task<string> AskAsync(string q);

            [Prompt(Task = "summary", User = "{q}")]
            public partial Task<string> SummarizeAsync(string q);

            [Prompt(MaxTokens = 40, User = "{q}")]
            public partial Task<string> ShortAsync(string q);

            public partial Task<string> AskAsync(string q) => Task.FromResult(q);
            public partial Task<string> SummarizeAsync(string q) => Task.FromResult(q);
            public partial Task<string> ShortAsync(string q) => Task.FromResult(q);
        }
        """);

    [Fact]
    public Task Fix_all_fixes_every_call_in_the_document() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.{|PO0002:GetResponseAsync|}("a");
                await chat.{|PO0002:GetResponseAsync|}("b", new ChatOptions { Temperature = 1 });
                await chat.{|PO0002:GetResponseAsync|}("c");
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat)
            {
                await chat.GetResponseAsync("a", options: new ChatOptions() { MaxOutputTokens = 500 });
                await chat.GetResponseAsync("b", new ChatOptions { Temperature = 1, MaxOutputTokens = 500 });
                await chat.GetResponseAsync("c", options: new ChatOptions() { MaxOutputTokens = 500 });
            }
        }
        """);
}
