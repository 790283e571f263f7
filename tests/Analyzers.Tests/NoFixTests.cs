using PromptOps.CodeFixes;

namespace PromptOps.Analyzers.Tests;

/// <summary>Diagnostics that are reported but for which no fix is offered (the code is left as it is).</summary>
public class NoFixTests
{
    [Fact]
    public Task PO0001_concatenated_text_has_no_compress_fix()
    {
        // (Interpolated strings are fixed in their literal parts: CompressFixLiteralKindTests.)
        const string source = """
            using Microsoft.Extensions.AI;

            class C
            {
                ChatMessage A(string name) => new(ChatRole.System, {|PO0001:"You are a very helpful AI assistant. Please greet " + name + " very politely. Thank you very much!"|});
            }
            """;
        return Infrastructure.Verify<PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer>.CodeFixAsync<CompressPromptCodeFix>(source, source);
    }

    [Fact]
    public Task PO0002_the_OpenAI_protocol_overload_has_no_fix()
    {
        const string source = """
            using System.ClientModel;
            using System.IO;
            using OpenAI.Chat;

            class C
            {
                static Stream Stream(string json) => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
                ClientResult M(ChatClient chat) => chat.{|PO0002:CompleteChat|}(BinaryContent.Create(Stream("{\"model\":\"gpt-4o-mini\",\"messages\":[]}")));
            }
            """;
        return Infrastructure.Verify<PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer>.CodeFixAsync<AddOutputLimitCodeFix>(source, source);
    }

    [Fact]
    public Task PO0003_a_model_id_from_a_const_has_no_fix()
    {
        const string source = """
            using Microsoft.Extensions.AI;

            class C
            {
                const string Model = "gpt-4o";
                ChatOptions A() => new() { ModelId = {|PO0003:Model|}, MaxOutputTokens = 5 };
            }
            """;
        return Infrastructure.Verify<PromptOps.Analyzers.Rules.ExpensiveModelAnalyzer>.CodeFixAsync<UseTaskTierCodeFix>(source, source);
    }
}
