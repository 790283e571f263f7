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
            private readonly ChatOptions _shared;

            C(ChatOptions shared) => _shared = shared; // from the caller: not followed

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

    private const string OpenAIHeader = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using OpenAI.Chat;

        """;

    [Fact]
    public Task Locals_for_both_messages_and_options_get_the_limit_on_the_options_local() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat, string question)
            {
                var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, question) };
                var options = new ChatOptions { Temperature = 0.2f };
                var response = await chat.{|PO0002:GetResponseAsync|}(messages, options);
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat, string question)
            {
                var messages = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant."), new(ChatRole.User, question) };
                var options = new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 500 };
                var response = await chat.GetResponseAsync(messages, options);
            }
        }
        """);

    [Fact]
    public Task OpenAI_locals_for_both_messages_and_options_get_the_limit_on_the_options_local() => V.CodeFixAsync<AddOutputLimitCodeFix>(OpenAIHeader + """
        class C
        {
            void M(ChatClient client, string question)
            {
                List<ChatMessage> messages = [new SystemChatMessage("You are a helpful assistant."), new UserChatMessage(question)];
                ChatCompletionOptions options = new() { Temperature = 0.2f };
                ChatCompletion completion = client.{|PO0002:CompleteChat|}(messages, options);
                var other = new ChatCompletionOptions();
                ChatCompletion second = client.{|PO0002:CompleteChat|}(messages, other);
            }
        }
        """, OpenAIHeader + """
        class C
        {
            void M(ChatClient client, string question)
            {
                List<ChatMessage> messages = [new SystemChatMessage("You are a helpful assistant."), new UserChatMessage(question)];
                ChatCompletionOptions options = new() { Temperature = 0.2f, MaxOutputTokenCount = 500 };
                ChatCompletion completion = client.CompleteChat(messages, options);
                var other = new ChatCompletionOptions() { MaxOutputTokenCount = 500 };
                ChatCompletion second = client.CompleteChat(messages, other);
            }
        }
        """);

    [Fact]
    public Task Named_arguments_are_matched_by_parameter_not_position() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat, List<ChatMessage> messages)
            {
                var options = new ChatOptions();
                await chat.{|PO0002:GetResponseAsync|}(options: options, messages: messages);
                await chat.{|PO0002:GetResponseAsync|}(options: new ChatOptions { Temperature = 0 }, messages: messages);
                await chat.{|PO0002:GetResponseAsync|}(options: null, messages: messages);
                await chat.GetResponseAsync(options: new ChatOptions { MaxOutputTokens = 5 }, messages: messages);
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat, List<ChatMessage> messages)
            {
                var options = new ChatOptions() { MaxOutputTokens = 500 };
                await chat.GetResponseAsync(options: options, messages: messages);
                await chat.GetResponseAsync(options: new ChatOptions { Temperature = 0, MaxOutputTokens = 500 }, messages: messages);
                await chat.GetResponseAsync(options: new ChatOptions() { MaxOutputTokens = 500 }, messages: messages);
                await chat.GetResponseAsync(options: new ChatOptions { MaxOutputTokens = 5 }, messages: messages);
            }
        }
        """);

    [Fact]
    public Task Options_in_a_field_with_an_initializer_are_followed_and_fixed_there() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        public class ChatState
        {
            private readonly IChatClient _chatClient;
            private readonly ChatOptions _chatOptions = new() { Temperature = 0.2f };

            public ChatState(IChatClient chatClient) => _chatClient = chatClient;

            public List<ChatMessage> Messages { get; } = [];

            public async Task AddUserMessageAsync(string userText)
            {
                Messages.Add(new(ChatRole.User, userText));
                var response = await _chatClient.{|PO0002:GetResponseAsync|}(Messages, _chatOptions);
                Messages.AddMessages(response);
            }
        }
        """, Header + """
        public class ChatState
        {
            private readonly IChatClient _chatClient;
            private readonly ChatOptions _chatOptions = new() { Temperature = 0.2f, MaxOutputTokens = 500 };

            public ChatState(IChatClient chatClient) => _chatClient = chatClient;

            public List<ChatMessage> Messages { get; } = [];

            public async Task AddUserMessageAsync(string userText)
            {
                Messages.Add(new(ChatRole.User, userText));
                var response = await _chatClient.GetResponseAsync(Messages, _chatOptions);
                Messages.AddMessages(response);
            }
        }
        """);

    [Fact]
    public Task Options_in_a_field_assigned_in_the_constructor_are_followed_and_fixed_once_for_every_call() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        public class ChatState
        {
            private readonly IChatClient _chatClient;
            private readonly ChatOptions _chatOptions;

            public ChatState(IChatClient chatClient)
            {
                _chatClient = chatClient;
                _chatOptions = new ChatOptions
                {
                    Temperature = 0.2f,
                    ToolMode = ChatToolMode.Auto,
                };
                _chatOptions.Tools = [];
            }

            public Task<ChatResponse> AskAsync(List<ChatMessage> messages) => _chatClient.{|PO0002:GetResponseAsync|}(messages, this._chatOptions);

            public Task<ChatResponse> IsItRainingAsync() => _chatClient.{|PO0002:GetResponseAsync|}("Answer yes or no: is it raining?", _chatOptions);
        }
        """, Header + """
        public class ChatState
        {
            private readonly IChatClient _chatClient;
            private readonly ChatOptions _chatOptions;

            public ChatState(IChatClient chatClient)
            {
                _chatClient = chatClient;
                _chatOptions = new ChatOptions
                {
                    Temperature = 0.2f,
                    ToolMode = ChatToolMode.Auto,
                    MaxOutputTokens = 500,
                };
                _chatOptions.Tools = [];
            }

            public Task<ChatResponse> AskAsync(List<ChatMessage> messages) => _chatClient.GetResponseAsync(messages, this._chatOptions);

            public Task<ChatResponse> IsItRainingAsync() => _chatClient.GetResponseAsync("Answer yes or no: is it raining?", _chatOptions);
        }
        """);

    [Fact]
    public Task A_private_auto_property_created_once_is_followed() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C(IChatClient chat)
        {
            private ChatOptions Options { get; } = new ChatOptions();

            public Task<ChatResponse> AskAsync(string q) => chat.{|PO0002:GetResponseAsync|}(q, Options);
        }
        """, Header + """
        class C(IChatClient chat)
        {
            private ChatOptions Options { get; } = new ChatOptions() { MaxOutputTokens = 500 };

            public Task<ChatResponse> AskAsync(string q) => chat.GetResponseAsync(q, Options);
        }
        """);

    [Fact]
    public Task Fields_that_get_a_limit_or_cannot_be_followed_are_quiet() => V.AnalyzerAsync(Header + """
        class LimitInConstructor
        {
            private readonly ChatOptions _chatOptions = new();
            public LimitInConstructor() { _chatOptions.MaxOutputTokens = 300; }
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, _chatOptions);
        }

        class LimitInInitializer
        {
            private readonly ChatOptions _chatOptions;
            public LimitInInitializer() { _chatOptions = new ChatOptions { MaxOutputTokens = 300 }; }
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, _chatOptions);
        }

        class LimitInAMethod
        {
            private readonly ChatOptions _chatOptions = new();
            public void Configure(int limit) => _chatOptions.MaxOutputTokens = limit;
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, _chatOptions);
        }

        class ReassignedInAMethod
        {
            private ChatOptions _chatOptions = new();
            public void Use(ChatOptions options) => _chatOptions = options;
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, _chatOptions);
        }

        class HandedToAnotherMethod
        {
            private readonly ChatOptions _chatOptions = new();
            public HandedToAnotherMethod() => Tune(_chatOptions);
            static void Tune(ChatOptions options) => options.MaxOutputTokens = 100;
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, _chatOptions);
        }

        class PublicField
        {
            public ChatOptions ChatOptions = new();
            public Task<ChatResponse> AskAsync(IChatClient chat, string q) => chat.GetResponseAsync(q, ChatOptions);
        }
        """);

    [Fact]
    public Task The_protocol_overload_is_told_to_set_max_completion_tokens_in_the_JSON_body() => V.AnalyzerAsync("""
        using System.ClientModel;
        using System.IO;
        using System.Text.Json;
        using OpenAI.Chat;

        class C
        {
            ClientResult Raw(ChatClient chat) =>
                chat.{|#0:CompleteChat|}(BinaryContent.Create(Stream("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")));

            ClientResult Limited(ChatClient chat) =>
                chat.CompleteChat(BinaryContent.Create(Stream("{\"model\":\"gpt-4o-mini\",\"max_completion_tokens\":100,\"messages\":[]}")));

            ClientResult LimitedObject(ChatClient chat) =>
                chat.CompleteChat(BinaryContent.Create(new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new { model = "gpt-4o-mini", max_completion_tokens = 100 }))));

            ClientResult FromCaller(ChatClient chat, BinaryContent body) => chat.CompleteChat(body);

            static Stream Stream(string json) => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        }
        """, null, V.Diagnostic("PO0002").WithLocation(0).WithArguments(
            "This CompleteChat call", "max_completion_tokens in the JSON request body (this overload takes no ChatCompletionOptions)", "500"));

    [Fact]
    public Task The_params_overloads_of_the_OpenAI_sdk_get_the_messages_in_a_collection_and_options() => V.CodeFixAsync<AddOutputLimitCodeFix>(OpenAIHeader + """
        class C
        {
            async Task M(ChatClient chat, string q, ChatMessage[] history)
            {
                ChatCompletion a = chat.{|PO0002:CompleteChat|}(new SystemChatMessage("You are a helpful assistant."), new UserChatMessage(q));
                ChatCompletion b = await chat.{|PO0002:CompleteChatAsync|}(new UserChatMessage(q));
                foreach (var u in chat.{|PO0002:CompleteChatStreaming|}(new UserChatMessage(q))) { }
                await foreach (var u in chat.{|PO0002:CompleteChatStreamingAsync|}(new UserChatMessage(q))) { }
                ChatCompletion c = chat.{|PO0002:CompleteChat|}(history);
            }
        }
        """, OpenAIHeader + """
        class C
        {
            async Task M(ChatClient chat, string q, ChatMessage[] history)
            {
                ChatCompletion a = chat.CompleteChat([new SystemChatMessage("You are a helpful assistant."), new UserChatMessage(q)], new ChatCompletionOptions() { MaxOutputTokenCount = 500 });
                ChatCompletion b = await chat.CompleteChatAsync([new UserChatMessage(q)], new ChatCompletionOptions() { MaxOutputTokenCount = 500 });
                foreach (var u in chat.CompleteChatStreaming([new UserChatMessage(q)], new ChatCompletionOptions() { MaxOutputTokenCount = 500 })) { }
                await foreach (var u in chat.CompleteChatStreamingAsync([new UserChatMessage(q)], new ChatCompletionOptions() { MaxOutputTokenCount = 500 })) { }
                ChatCompletion c = chat.CompleteChat(history, new ChatCompletionOptions() { MaxOutputTokenCount = 500 });
            }
        }
        """);

    [Fact]
    public Task A_multi_line_params_call_gets_one_message_a_line() => V.CodeFixAsync<AddOutputLimitCodeFix>(OpenAIHeader + """
        class C
        {
            string M(ChatClient chat, string ticket)
            {
                ChatCompletion completion = chat.{|PO0002:CompleteChat|}(
                    new SystemChatMessage("Summarize the support ticket in two sentences."),
                    new UserChatMessage(ticket));
                return completion.Content[0].Text;
            }
        }
        """, OpenAIHeader + """
        class C
        {
            string M(ChatClient chat, string ticket)
            {
                ChatCompletion completion = chat.CompleteChat(
                    [
                        new SystemChatMessage("Summarize the support ticket in two sentences."),
                        new UserChatMessage(ticket),
                    ],
                    new ChatCompletionOptions() { MaxOutputTokenCount = 70 });
                return completion.Content[0].Text;
            }
        }
        """, title: "Add MaxOutputTokenCount = 70 (the prompt asks for two sentences)");

    [Fact]
    public Task Before_CSharp_12_the_params_messages_become_an_array() => V.CodeFixAsync<AddOutputLimitCodeFix>(OpenAIHeader + """
        class C
        {
            ChatCompletion M(ChatClient chat, string q) => chat.{|PO0002:CompleteChat|}(new SystemChatMessage("Be brief."), new UserChatMessage(q));
        }
        """, OpenAIHeader + """
        class C
        {
            ChatCompletion M(ChatClient chat, string q) => chat.CompleteChat(new ChatMessage[] { new SystemChatMessage("Be brief."), new UserChatMessage(q) }, new ChatCompletionOptions() { MaxOutputTokenCount = 500 });
        }
        """, languageVersion: Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11);

    [Fact]
    public Task The_limit_is_inferred_from_what_the_prompt_asks_for() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat, string review, string text, string order)
            {
                await chat.{|PO0002:GetResponseAsync|}([new(ChatRole.System, "Classify the sentiment of the review. Answer with one word: positive, negative or neutral."), new(ChatRole.User, review)]);
                await chat.{|PO0002:GetResponseAsync|}("Describe the sea in 10 words.");
                var messages = new List<ChatMessage> { new(ChatRole.System, "Summarize the text in two sentences.") };
                messages.Add(new(ChatRole.User, text));
                await chat.{|PO0002:GetResponseAsync|}(messages);
                await chat.{|PO0002:GetResponseAsync|}(new List<ChatMessage>
                {
                    new(ChatRole.System, "Extract the order as a JSON object with the fields id, product and quantity."),
                    new(ChatRole.User, order),
                }, new ChatOptions { Temperature = 0 });
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat, string review, string text, string order)
            {
                await chat.GetResponseAsync([new(ChatRole.System, "Classify the sentiment of the review. Answer with one word: positive, negative or neutral."), new(ChatRole.User, review)], options: new ChatOptions() { MaxOutputTokens = 10 });
                await chat.GetResponseAsync("Describe the sea in 10 words.", options: new ChatOptions() { MaxOutputTokens = 20 });
                var messages = new List<ChatMessage> { new(ChatRole.System, "Summarize the text in two sentences.") };
                messages.Add(new(ChatRole.User, text));
                await chat.GetResponseAsync(messages, options: new ChatOptions() { MaxOutputTokens = 70 });
                await chat.GetResponseAsync(new List<ChatMessage>
                {
                    new(ChatRole.System, "Extract the order as a JSON object with the fields id, product and quantity."),
                    new(ChatRole.User, order),
                }, new ChatOptions { Temperature = 0, MaxOutputTokens = 200 });
            }
        }
        """);

    [Fact]
    public Task The_reason_is_in_the_message_and_the_fix_title() => Task.WhenAll(
        V.AnalyzerAsync(Header + """
            class C
            {
                Task M(IChatClient chat) => chat.{|#0:GetResponseAsync|}("Describe the sea in 10 words.");
            }
            """, null, V.Diagnostic("PO0002").WithLocation(0).WithArguments("This GetResponseAsync call", "ChatOptions.MaxOutputTokens", "20, because the prompt asks for 10 words")),
        V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
            class C
            {
                Task M(IChatClient chat) => chat.{|PO0002:GetResponseAsync|}("Describe the sea in 10 words.");
            }
            """, Header + """
            class C
            {
                Task M(IChatClient chat) => chat.GetResponseAsync("Describe the sea in 10 words.", options: new ChatOptions() { MaxOutputTokens = 20 });
            }
            """, title: "Add MaxOutputTokens = 20 (the prompt asks for 10 words)"));

    [Fact]
    public Task A_prompt_method_gets_the_limit_its_text_asks_for() => V.CodeFixAsync<AddOutputLimitCodeFix>("""
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [{|PO0002:Prompt(System = "Answer yes or no.", User = "{q}")|}]
            public partial Task<string> AskAsync(string q);

            public partial Task<string> AskAsync(string q) => Task.FromResult(q);
        }
        """, """
        using System.Threading.Tasks;
        using PromptOps;

        partial class C
        {
            [Prompt(System = "Answer yes or no.", User = "{q}", MaxTokens = 10)]
            public partial Task<string> AskAsync(string q);

            public partial Task<string> AskAsync(string q) => Task.FromResult(q);
        }
        """);

    [Fact]
    public Task Fix_all_follows_the_layout_of_multi_line_calls() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatClient chat, List<ChatMessage> history)
            {
                await chat.{|PO0002:GetResponseAsync|}(
                    history);
                await chat.{|PO0002:GetResponseAsync|}(
                    history
                );
                await chat.{|PO0002:GetResponseAsync|}(history, // the whole conversation
                    new ChatOptions
                    {
                        Temperature = 0
                    });
                var reply = await chat.{|PO0002:GetResponseAsync|}(
                [
                    new(ChatRole.System, "You are a helpful assistant."),
                    new(ChatRole.User, "Hi"),
                ]);
                await chat.{|PO0002:GetResponseAsync|}(history, new ChatOptions { ModelId = "gpt-4o-mini" });
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatClient chat, List<ChatMessage> history)
            {
                await chat.GetResponseAsync(
                    history,
                    options: new ChatOptions() { MaxOutputTokens = 500 });
                await chat.GetResponseAsync(
                    history,
                    options: new ChatOptions() { MaxOutputTokens = 500 }
                );
                await chat.GetResponseAsync(history, // the whole conversation
                    new ChatOptions
                    {
                        Temperature = 0,
                        MaxOutputTokens = 500
                    });
                var reply = await chat.GetResponseAsync(
                [
                    new(ChatRole.System, "You are a helpful assistant."),
                    new(ChatRole.User, "Hi"),
                ],
                options: new ChatOptions() { MaxOutputTokens = 500 });
                await chat.GetResponseAsync(history, new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 500 });
            }
        }
        """);

    [Fact]
    public Task Comments_and_trailing_commas_stay_where_they_were() => V.CodeFixAsync<AddOutputLimitCodeFix>(OpenAIHeader + """
        class C
        {
            void M(ChatClient chat, string q)
            {
                ChatCompletion completion = chat.{|PO0002:CompleteChat|}(
                    // the instructions
                    new SystemChatMessage("Be brief."), // system
                    new UserChatMessage(q) // user
                );
                var options = new ChatCompletionOptions { Temperature = 0, };
                chat.{|PO0002:CompleteChat|}([new UserChatMessage(q)], options);
                var other = new ChatCompletionOptions
                {
                    Temperature = 0 // deterministic
                };
                chat.{|PO0002:CompleteChat|}([new UserChatMessage(q)], other);
            }
        }
        """, OpenAIHeader + """
        class C
        {
            void M(ChatClient chat, string q)
            {
                ChatCompletion completion = chat.CompleteChat(
                    [
                        // the instructions
                        new SystemChatMessage("Be brief."), // system
                        new UserChatMessage(q), // user
                    ],
                    new ChatCompletionOptions() { MaxOutputTokenCount = 500 }
                );
                var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 500, };
                chat.CompleteChat([new UserChatMessage(q)], options);
                var other = new ChatCompletionOptions
                {
                    Temperature = 0, // deterministic
                    MaxOutputTokenCount = 500
                };
                chat.CompleteChat([new UserChatMessage(q)], other);
            }
        }
        """);
}
