using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using PromptOps.Analyzers.Rules;
using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.GrowingConversationHistoryAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>PO0011: a conversation history appended to and sent whole on every turn, with no reducer in sight; its fix.</summary>
public class GrowingConversationHistoryTests
{
    /// <summary>
    /// A source copy of the builder API the rule and its fix name (ChatClientBuilder lives in Microsoft.Extensions.AI, which the
    /// test compilations do not reference, and UseConversationBudget in PromptOps.Runtime): the signatures the runtime has,
    /// checked by <see cref="The_source_copy_of_UseConversationBudget_matches_the_runtime"/>.
    /// </summary>
    private const string Pipeline = """
        namespace Microsoft.Extensions.AI
        {
            public sealed class ChatClientBuilder
            {
                public ChatClientBuilder(IChatClient innerClient) { }
                public IChatClient Build(System.IServiceProvider? services = null) => null!;
            }

            public static class ChatClientBuilderChatClientExtensions
            {
                public static ChatClientBuilder AsBuilder(this IChatClient innerClient) => new(innerClient);
            }

            public static class ReducingChatClientBuilderExtensions
            {
                public static ChatClientBuilder UseChatReducer(this ChatClientBuilder builder, object? reducer = null) => builder;
            }
        }

        namespace PromptOps
        {
            public static class ConversationBudgetChatClientBuilderExtensions
            {
                public static Microsoft.Extensions.AI.ChatClientBuilder UseConversationBudget(this Microsoft.Extensions.AI.ChatClientBuilder builder, int maxInputTokens, System.Action<object>? configure = null) => builder;
            }
        }
        """;

    private static void Configure(SolutionState state, string? editorConfig)
    {
        state.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        state.AdditionalReferences.AddRange(V.Libraries.Select(p => MetadataReference.CreateFromFile(p)));
        state.Sources.Add(("Pipeline.cs", Pipeline));
        if (editorConfig is not null) state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
    }

    private static async Task AnalyzeAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<GrowingConversationHistoryAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test.TestState, null);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    private static async Task FixAsync(string source, string fixedSource, string? editorConfig = null)
    {
        var test = new CSharpCodeFixTest<GrowingConversationHistoryAnalyzer, UseConversationBudgetCodeFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource };
        Configure(test.TestState, editorConfig);
        Configure(test.FixedState, editorConfig);
        if (source == fixedSource) test.FixedState.MarkupHandling = MarkupMode.Allow; // no fix: the diagnostic stays
        await test.RunAsync();
    }

    [Fact]
    public Task A_chat_loop_that_appends_and_sends_the_whole_history_is_reported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;

            class Chat
            {
                async Task Loop(IChatClient client, Func<string?> readLine)
                {
                    var options = new ChatOptions { MaxOutputTokens = 300 };
                    List<ChatMessage> history = [new(ChatRole.System, "You are a friendly assistant.")];
                    while (readLine() is { Length: > 0 } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        var response = await client.GetResponseAsync({|#0:history|}, options);
                        history.AddMessages(response);
                    }
                }
            }
            """;
        return AnalyzeAsync(source, V.Diagnostic("PO0011").WithLocation(0).WithArguments("history", "in this loop"));
    }

    [Fact]
    public Task Streaming_in_the_loop_the_OpenAI_SDK_and_Semantic_Kernel_are_reported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using Microsoft.SemanticKernel.ChatCompletion;

            class Chat
            {
                async Task Streaming(IChatClient client, string[] questions)
                {
                    var history = new List<Microsoft.Extensions.AI.ChatMessage>();
                    foreach (var question in questions)
                    {
                        history.Add(new(ChatRole.User, question));
                        var text = "";
                        await foreach (var update in client.GetStreamingResponseAsync({|PO0011:history|}, new ChatOptions { MaxOutputTokens = 100 }))
                        {
                            text += update.Text;
                        }

                        history.Add(new(ChatRole.Assistant, text));
                    }
                }

                async Task OpenAi(OpenAI.Chat.ChatClient client, string[] questions)
                {
                    var messages = new List<OpenAI.Chat.ChatMessage>();
                    var options = new OpenAI.Chat.ChatCompletionOptions { MaxOutputTokenCount = 100 };
                    for (var i = 0; i < questions.Length; i++)
                    {
                        messages.Add(new OpenAI.Chat.UserChatMessage(questions[i]));
                        var completion = await client.CompleteChatAsync({|PO0011:messages|}, options);
                        messages.Add(new OpenAI.Chat.AssistantChatMessage(completion.Value));
                    }
                }

                async Task Kernel(IChatCompletionService service, Func<string?> readLine)
                {
                    var chatHistory = new ChatHistory("You are helpful.");
                    while (readLine() is { } question)
                    {
                        chatHistory.AddUserMessage(question);
                        var reply = await service.GetChatMessageContentAsync({|PO0011:chatHistory|});
                        chatHistory.Add(reply);
                    }
                }
            }
            """;
        return AnalyzeAsync(source);
    }

    [Fact]
    public Task A_history_field_that_a_member_appends_to_and_sends_on_every_call_is_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;

            class ChatState(IChatClient chat)
            {
                private readonly List<ChatMessage> _history = [new(ChatRole.System, "You are the shop's assistant.")];

                public async Task<string> SendAsync(string text)
                {
                    _history.Add(new(ChatRole.User, text));
                    var response = await chat.GetResponseAsync({|#0:_history|}, new ChatOptions { MaxOutputTokens = 200 });
                    _history.AddMessages(response);
                    return response.Text;
                }
            }
            """;
        return AnalyzeAsync(source, V.Diagnostic("PO0011").WithLocation(0).WithArguments("_history", "with every call of 'SendAsync'"));
    }

    [Fact]
    public Task Single_calls_trimmed_or_reduced_histories_fresh_lists_retries_and_partial_histories_are_not_reported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using Microsoft.SemanticKernel.ChatCompletion;

            class Chat
            {
                private readonly List<ChatMessage> _log = [];

                async Task Single(IChatClient client, string question)
                {
                    var history = new List<ChatMessage> { new(ChatRole.System, "Be brief.") };
                    history.Add(new(ChatRole.User, question));
                    var response = await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 });
                    history.AddMessages(response);
                }

                async Task Trimmed(IChatClient client, Func<string?> readLine)
                {
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        if (history.Count > 20) history.RemoveRange(0, 2);
                        history.AddMessages(await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }

                async Task Reduced(IChatClient client, Func<string?> readLine, Func<IList<ChatMessage>, List<ChatMessage>> reduce)
                {
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 }));
                        history = reduce(history);
                    }
                }

                async Task KernelReducer(IChatCompletionService service, Func<string?> readLine)
                {
                    var chatHistory = new ChatHistory();
                    while (readLine() is { } question)
                    {
                        chatHistory.AddUserMessage(question);
                        chatHistory.Add(await service.GetChatMessageContentAsync(chatHistory));
                        Summarize(chatHistory);
                    }
                }

                async Task Fresh(IChatClient client, string[] questions)
                {
                    foreach (var question in questions)
                    {
                        var messages = new List<ChatMessage> { new(ChatRole.System, "Be brief.") };
                        messages.Add(new(ChatRole.User, question));
                        await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 50 });
                    }
                }

                async Task Retry(IChatClient client, string question)
                {
                    var messages = new List<ChatMessage> { new(ChatRole.User, question) };
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        var response = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 50 });
                        if (response.Text.Length > 0) return;
                        messages.AddMessages(response);
                        messages.Add(new(ChatRole.User, "Please answer."));
                    }
                }

                async Task Window(IChatClient client, Func<string?> readLine)
                {
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync(history.TakeLast(10), new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }

                public async Task Logged(IChatClient client, string text)
                {
                    _log.Add(new(ChatRole.User, text));
                    _log.AddMessages(await client.GetResponseAsync(_log, new ChatOptions { MaxOutputTokens = 50 }));
                }

                public void Reset() => _log.Clear();

                static void Summarize(ChatHistory history) { }
            }
            """;
        return AnalyzeAsync(source);
    }

    [Fact]
    public Task A_client_built_with_a_reducer_in_the_same_method_is_not_reported()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class Chat
            {
                async Task Budgeted(IChatClient inner, Func<string?> readLine)
                {
                    var client = inner.AsBuilder().UseConversationBudget(8000).Build();
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }

                async Task Reducer(IChatClient inner, Func<string?> readLine, object reducer)
                {
                    var client = new ChatClientBuilder(inner).UseChatReducer(reducer).Build();
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        return AnalyzeAsync(source);
    }

    [Fact]
    public Task The_fix_adds_UseConversationBudget_where_the_local_client_is_built_and_the_using()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;

            class Chat
            {
                async Task Loop(IChatClient inner, Func<string?> readLine)
                {
                    var client = inner.AsBuilder().Build();
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync({|PO0011:history|}, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        const string fixedSource = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class Chat
            {
                async Task Loop(IChatClient inner, Func<string?> readLine)
                {
                    var client = inner.AsBuilder().UseConversationBudget(8000).Build();
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        return FixAsync(source, fixedSource);
    }

    [Fact]
    public Task The_fix_follows_a_field_client_to_its_builder_and_takes_the_budget_from_editorconfig()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class ChatState
            {
                private readonly IChatClient _chat;
                private readonly List<ChatMessage> _history = [];

                public ChatState(IChatClient provider) => _chat = new ChatClientBuilder(provider).Build();

                public async Task SendAsync(string text)
                {
                    _history.Add(new(ChatRole.User, text));
                    _history.AddMessages(await _chat.GetResponseAsync({|PO0011:_history|}, new ChatOptions { MaxOutputTokens = 50 }));
                }
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class ChatState
            {
                private readonly IChatClient _chat;
                private readonly List<ChatMessage> _history = [];

                public ChatState(IChatClient provider) => _chat = new ChatClientBuilder(provider).UseConversationBudget(4000).Build();

                public async Task SendAsync(string text)
                {
                    _history.Add(new(ChatRole.User, text));
                    _history.AddMessages(await _chat.GetResponseAsync(_history, new ChatOptions { MaxOutputTokens = 50 }));
                }
            }
            """;
        return FixAsync(source, fixedSource, "promptops.conversation_max_input_tokens = 4000");
    }

    [Fact]
    public Task Two_loops_on_one_client_get_one_UseConversationBudget()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class Chat
            {
                async Task Loops(IChatClient inner, Func<string?> readLine)
                {
                    var client = inner.AsBuilder().Build();
                    var first = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        first.Add(new(ChatRole.User, input));
                        first.AddMessages(await client.GetResponseAsync({|PO0011:first|}, new ChatOptions { MaxOutputTokens = 50 }));
                    }

                    var second = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        second.Add(new(ChatRole.User, input));
                        second.AddMessages(await client.GetResponseAsync({|PO0011:second|}, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        const string fixedSource = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            class Chat
            {
                async Task Loops(IChatClient inner, Func<string?> readLine)
                {
                    var client = inner.AsBuilder().UseConversationBudget(8000).Build();
                    var first = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        first.Add(new(ChatRole.User, input));
                        first.AddMessages(await client.GetResponseAsync(first, new ChatOptions { MaxOutputTokens = 50 }));
                    }

                    var second = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        second.Add(new(ChatRole.User, input));
                        second.AddMessages(await client.GetResponseAsync(second, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        return FixAsync(source, fixedSource);
    }

    [Fact]
    public Task An_injected_client_with_no_builder_in_the_document_gets_no_fix()
    {
        const string source = """
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;

            class Chat(IChatClient client)
            {
                async Task Loop(Func<string?> readLine)
                {
                    var history = new List<ChatMessage>();
                    while (readLine() is { } input)
                    {
                        history.Add(new(ChatRole.User, input));
                        history.AddMessages(await client.GetResponseAsync({|PO0011:history|}, new ChatOptions { MaxOutputTokens = 50 }));
                    }
                }
            }
            """;
        return FixAsync(source, source);
    }

    [Fact]
    public void The_source_copy_of_UseConversationBudget_matches_the_runtime()
    {
        var root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));
        var runtime = File.ReadAllText(Path.Combine(root, "src", "Runtime", "Conversations", "ConversationBudgetChatClientBuilderExtensions.cs"));
        Assert.Contains("namespace PromptOps;", runtime, StringComparison.Ordinal);
        Assert.Contains("public static ChatClientBuilder UseConversationBudget(this ChatClientBuilder builder, int maxInputTokens, Action<ConversationBudgetOptions>? configure = null)", runtime, StringComparison.Ordinal);
    }

    public static TheoryData<string> RealCodeFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "RealCode"), "*.cs").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(RealCodeFiles))]
    public async Task On_the_real_code_corpus_PO0011_reports_exactly_the_lines_a_reviewer_marks(string file)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "RealCode", file));
        var expected = source.Split('\n').Select((line, i) => (Line: i + 1, Text: line)).Where(l => l.Text.Contains("expect PO0011", StringComparison.Ordinal)).Select(l => l.Line).ToList();
        var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None))
            .AddRange(V.Libraries.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        var compilation = CSharpCompilation.Create("RealCode", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp12))], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new GrowingConversationHistoryAnalyzer())).GetAnalyzerDiagnosticsAsync();

        var found = diagnostics.Where(d => d.Id == "PO0011").Select(d => d.Location.GetLineSpan().StartLinePosition.Line + 1).Order().ToList();
        Assert.Equal(expected, found);
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
