using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>PO0002 on Semantic Kernel calls, against the real Microsoft.SemanticKernel.Abstractions/Core/Connectors.OpenAI 1.82.0.</summary>
public class MissingOutputLimitSemanticKernelTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Microsoft.SemanticKernel;
        using Microsoft.SemanticKernel.ChatCompletion;
        using Microsoft.SemanticKernel.Connectors.OpenAI;

        """;

    [Fact]
    public Task A_chat_call_without_settings_gets_OpenAI_settings_with_MaxTokens() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat, ChatHistory history) => chat.{|PO0002:GetChatMessageContentAsync|}(history);
        }
        """, Header + """
        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat, ChatHistory history) => chat.GetChatMessageContentAsync(history, executionSettings: new OpenAIPromptExecutionSettings() { MaxTokens = 500 });
        }
        """);

    [Fact]
    public Task Settings_in_a_local_without_MaxTokens_get_it_in_their_initializer() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task<string?> M(IChatCompletionService chat, Kernel kernel)
            {
                var executionSettings = new OpenAIPromptExecutionSettings
                {
                    Temperature = 0,
                };
                var history = new ChatHistory();
                history.AddUserMessage("Give me the most important information about Prague.");
                var response = await chat.{|PO0002:GetChatMessageContentAsync|}(history, executionSettings, kernel);
                return response.Content;
            }
        }
        """, Header + """
        class C
        {
            async Task<string?> M(IChatCompletionService chat, Kernel kernel)
            {
                var executionSettings = new OpenAIPromptExecutionSettings
                {
                    Temperature = 0,
                    MaxTokens = 500,
                };
                var history = new ChatHistory();
                history.AddUserMessage("Give me the most important information about Prague.");
                var response = await chat.GetChatMessageContentAsync(history, executionSettings, kernel);
                return response.Content;
            }
        }
        """);

    [Fact]
    public Task Streaming_and_plural_calls_and_inline_settings_are_reported() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(IChatCompletionService chat, ChatHistory history)
            {
                await chat.{|PO0002:GetChatMessageContentsAsync|}(history, new OpenAIPromptExecutionSettings { Temperature = 0 });
                await foreach (var update in chat.{|PO0002:GetStreamingChatMessageContentsAsync|}(history, null)) { }
                await chat.{|PO0002:GetChatMessageContentAsync|}("Answer in one word: yes or no?");
            }
        }
        """, Header + """
        class C
        {
            async Task M(IChatCompletionService chat, ChatHistory history)
            {
                await chat.GetChatMessageContentsAsync(history, new OpenAIPromptExecutionSettings { Temperature = 0, MaxTokens = 500 });
                await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, new OpenAIPromptExecutionSettings() { MaxTokens = 500 })) { }
                await chat.GetChatMessageContentAsync("Answer in one word: yes or no?", executionSettings: new OpenAIPromptExecutionSettings() { MaxTokens = 10 });
            }
        }
        """);

    [Fact]
    public Task Settings_with_a_limit_or_that_cannot_be_seen_are_quiet() => V.AnalyzerAsync(Header + """
        class C
        {
            async Task M(IChatCompletionService chat, ChatHistory history, PromptExecutionSettings given)
            {
                await chat.GetChatMessageContentAsync(history, new OpenAIPromptExecutionSettings { MaxTokens = 100 });
                await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 100 } });
                await chat.GetChatMessageContentAsync(history, given);
                var local = new OpenAIPromptExecutionSettings();
                local.MaxTokens = 50;
                await chat.GetChatMessageContentAsync(history, local);
            }
        }
        """);

    [Fact]
    public Task Base_settings_without_a_limit_get_advice_without_a_fix() => V.CodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat, ChatHistory history) =>
                chat.{|PO0002:GetChatMessageContentAsync|}(history, new PromptExecutionSettings { ModelId = "gpt-4o" });
        }
        """, Header + """
        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat, ChatHistory history) =>
                chat.{|PO0002:GetChatMessageContentAsync|}(history, new PromptExecutionSettings { ModelId = "gpt-4o" });
        }
        """);

    /// <summary>
    /// Kernel.InvokePromptAsync lives in Semantic Kernel's core, built against System.Text.Json 10: compiled here against the
    /// test process's own .NET 10 assemblies (the verifier's .NET 8 reference assemblies cannot bind it, CS1705).
    /// </summary>
    [Fact]
    public async Task InvokePromptAsync_without_settings_or_without_MaxTokens_in_its_KernelArguments_is_reported()
    {
        const string source = Header + """
            class C
            {
                async Task M(Kernel kernel)
                {
                    await kernel.InvokePromptAsync("Summarize: {{$input}}"); // expect
                    await kernel.InvokePromptAsync("Summarize: {{$input}}", new KernelArguments(new OpenAIPromptExecutionSettings { Temperature = 0 })); // expect
                    await kernel.InvokePromptAsync("Summarize: {{$input}}", new KernelArguments(new OpenAIPromptExecutionSettings { MaxTokens = 200 }));
                    await kernel.InvokePromptAsync("Summarize: {{$input}}", new KernelArguments { ["input"] = "text" }); // expect (variables only, no settings)
                }
            }
            """;
        var runtime = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll"
                        || Path.GetFileName(p).StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) || Path.GetFileName(p) == "Microsoft.Bcl.AsyncInterfaces.dll")
            .Where(p => !V.Libraries.Any(l => Path.GetFileName(l) == Path.GetFileName(p)));
        var references = runtime.Concat(V.Libraries).Select(p => (Microsoft.CodeAnalysis.MetadataReference)Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(p));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("App", [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source)], references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var found = await compilation.WithAnalyzers([new PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        var lines = source.Split('\n');
        var expected = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains("// expect", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, found.Where(d => d.Id == "PO0002").Select(d => d.Location.GetLineSpan().StartLinePosition.Line).Order().ToList());
        Assert.All(found, d => Assert.Contains("KernelArguments' execution settings with a max-tokens", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public Task The_message_names_the_settings_to_set() => V.AnalyzerAsync(Header + """
        class C
        {
            Task<ChatMessageContent> M(IChatCompletionService chat, ChatHistory history) => chat.{|#0:GetChatMessageContentAsync|}(history);
        }
        """, null, V.Diagnostic("PO0002").WithLocation(0).WithArguments("This GetChatMessageContentAsync call",
            "PromptExecutionSettings with a max-tokens (OpenAIPromptExecutionSettings.MaxTokens, or ExtensionData[\"max_tokens\"])", "500"));
}
