using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// The o200k tokenizer (~0.4 s, ~50 MB) must not be created for code that has no prompt. The analyzers are loaded into
/// their own AssemblyLoadContext so this test sees a fresh copy of the process-wide tokenizer holder, whatever the
/// other tests did.
/// </summary>
public class TokenizerLoadingTests
{
    private sealed class IsolatedAnalyzers(string path) : AssemblyLoadContext("PromptOps.Analyzers.Isolated", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name) =>
            name.Name == "PromptOps.Analyzers" ? LoadFromAssemblyPath(path) : null; // everything else (Roslyn, tokenizers) is shared
    }

    [Fact]
    public async Task The_tokenizer_is_created_only_once_a_prompt_is_found()
    {
        var context = new IsolatedAnalyzers(typeof(PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer).Assembly.Location);
        try
        {
            var assembly = context.LoadFromAssemblyPath(typeof(PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer).Assembly.Location);
            var analyzers = assembly.GetTypes()
                .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
                .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
                .ToImmutableArray();
            var isLoaded = assembly.GetType("PromptOps.Analyzers.Infrastructure.TokenCounter")!.GetProperty("IsLoaded", BindingFlags.Public | BindingFlags.Static)!;
            Assert.Equal(10, analyzers.Length); // six cost analyzers, TimeSensitivePromptAnalyzer (PO0009), StaticInstructionsInUserMessageAnalyzer (PO0010), GrowingConversationHistoryAnalyzer (PO0011) and AnthropicMessagesAnalyzer (PO0002/PO0003 on Anthropic's SDK)

            const string attribute = """
                namespace PromptOps { [System.AttributeUsage(System.AttributeTargets.Method)] public sealed class PromptAttribute : System.Attribute { public string? System { get; set; } public string? User { get; set; } public string? Task { get; set; } } }
                """;
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Append(typeof(Microsoft.Extensions.AI.IChatClient).Assembly.Location)
                .Select(p => MetadataReference.CreateFromFile(p));

            // 50 files of ordinary code, with M.E.AI and the attribute referenced but no prompt anywhere.
            var plain = Enumerable.Range(0, 50).Select(i => CSharpSyntaxTree.ParseText(
                $"namespace App; public class C{i} {{ public int M(int x) => x * {i}; public string S() => \"text {i}\"; }}")).Append(CSharpSyntaxTree.ParseText(attribute));
            var compilation = CSharpCompilation.Create("Plain", plain, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var diagnostics = await compilation.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
            Assert.Empty(diagnostics);
            Assert.False((bool)isLoaded.GetValue(null)!, "the tokenizer was created for code without prompts");

            var withPrompt = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("""
                using Microsoft.Extensions.AI;
                namespace App;
                public class P { public ChatMessage M() => new(ChatRole.System, "You are a very helpful AI assistant. Please answer very briefly. Thank you very much!"); }
                """));
            diagnostics = await withPrompt.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
            Assert.Contains(diagnostics, d => d.Id == "PO0001");
            Assert.True((bool)isLoaded.GetValue(null)!);
        }
        finally
        {
            context.Unload();
        }
    }
}
