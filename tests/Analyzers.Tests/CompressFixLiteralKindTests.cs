using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;
using PromptOps.Analyzers.Compression;
using PromptOps.Analyzers.Rules;
using PromptOps.Analyzers.Tests.Infrastructure;
using PromptOps.Analyzers.Tests.PublicCorpus;
using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// The compress fix keeps the literal's kind and lines: regular stays regular, verbatim stays verbatim with its line
/// breaks, raw stays raw with its indentation (one source line per prompt line), on hand-written cases and on real
/// multi-line prompts of the public corpus and the real-code corpus; interpolated strings keep their holes.
/// </summary>
public class CompressFixLiteralKindTests
{
    private const string Header = """
        using Microsoft.Extensions.AI;

        """;

    [Fact]
    public Task A_verbatim_literal_stays_verbatim_with_its_line_breaks() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:@"You are a very helpful AI assistant.
        Please classify the ticket as ""billing"" or ""technical"".
        Answer with the label only. Thank you very much!"|});
        }
        """, Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, @"Classify the ticket as ""billing"" or ""technical"".
        Answer with the label only.");
        }
        """);

    [Fact]
    public Task A_raw_literal_stays_raw_with_its_indentation() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """"
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"""
                You are a very helpful AI assistant.
                Please classify the ticket as "billing" or "technical".

                Answer with the label only. Thank you very much!
                """|});
        }
        """", Header + """"
        class C
        {
            ChatMessage M() => new(ChatRole.System, """
                Classify the ticket as "billing" or "technical".

                Answer with the label only.
                """);
        }
        """");

    [Fact]
    public Task A_single_line_raw_literal_stays_single_line_raw() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """"
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"""You are a very helpful AI assistant. Please classify the ticket as "billing" or "technical". Thank you very much!"""|});
        }
        """", Header + """"
        class C
        {
            ChatMessage M() => new(ChatRole.System, """Classify the ticket as "billing" or "technical".""");
        }
        """");

    [Fact]
    public Task A_regular_literal_stays_regular_with_its_escapes() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, {|PO0001:"You are a very helpful AI assistant.\nPlease classify the ticket as \"billing\" or \"technical\".\nThank you very much!"|});
        }
        """, Header + """
        class C
        {
            ChatMessage M() => new(ChatRole.System, "Classify the ticket as \"billing\" or \"technical\".");
        }
        """);

    [Fact]
    public Task An_interpolated_prompt_has_its_text_compressed_and_its_holes_kept() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """
        class C
        {
            ChatMessage M(string product, int n) => new(ChatRole.System, {|PO0001:$"You are a very helpful AI assistant. Please answer questions about {product} in at most {n,3:D} words. Thank you very much!"|});
            ChatMessage V(string product) => new(ChatRole.System, {|PO0001:$@"You are a very helpful AI assistant.
        Please answer questions about ""{product}"" very politely. Thank you very much!"|});
        }
        """, Header + """
        class C
        {
            ChatMessage M(string product, int n) => new(ChatRole.System, $"Answer questions about {product} in at most {n,3:D} words.");
            ChatMessage V(string product) => new(ChatRole.System, $@"Answer questions about ""{product}"" very politely.");
        }
        """);

    [Fact]
    public Task A_raw_interpolated_prompt_or_one_with_literal_braces_gets_no_fix() => V.CodeFixAsync<CompressPromptCodeFix>(Header + """"
        class C
        {
            ChatMessage M(string product) => new(ChatRole.System, {|PO0001:$"""You are a very helpful AI assistant. Please answer questions about {product}. Thank you very much!"""|});
            ChatMessage B(string product) => new(ChatRole.System, {|PO0001:$"You are a very helpful AI assistant. Please answer in JSON like {{ \"a\": 1 }} about {product}. Thank you very much!"|});
        }
        """", Header + """"
        class C
        {
            ChatMessage M(string product) => new(ChatRole.System, {|PO0001:$"""You are a very helpful AI assistant. Please answer questions about {product}. Thank you very much!"""|});
            ChatMessage B(string product) => new(ChatRole.System, {|PO0001:$"You are a very helpful AI assistant. Please answer in JSON like {{ \"a\": 1 }} about {product}. Thank you very much!"|});
        }
        """");

    public enum Kind { Regular, Verbatim, Raw }

    /// <summary>Multi-line prompts of the public corpus (development part) that the compressor shortens by a token or more: the first 12 of each language.</summary>
    public static TheoryData<string, Kind> RealPrompts()
    {
        var data = new TheoryData<string, Kind>();
        foreach (var language in new[] { "en", "ja" })
        {
            var prompts = PublicPromptCorpus.Prompts
                .Where(p => !p.HeldOut && p.Language == language && p.Text.Trim().Contains('\n')
                            && PromptOps.Analyzers.Infrastructure.TokenCounter.Count(PromptCompressor.Compress(p.Text)) < PromptOps.Analyzers.Infrastructure.TokenCounter.Count(p.Text))
                .Take(12);
            foreach (var p in prompts)
            {
                foreach (var kind in Enum.GetValues<Kind>()) data.Add(p.Id, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RealPrompts))]
    public async Task On_real_multi_line_prompts_the_fix_keeps_the_kind_the_lines_and_the_indentation(string id, Kind kind)
    {
        var text = PublicPromptCorpus.Prompts.Single(p => p.Id == id).Text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var literal = kind switch
        {
            Kind.Regular => SyntaxFactory.Literal(text).Text,
            Kind.Verbatim => "@\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            _ => RawLiteral(text, "            "),
        };
        var source = Header + "class C\n{\n    ChatMessage M() => new(ChatRole.System,\n            " + literal + ");\n}\n";
        var (original, rewritten) = await ApplyFixAsync(source);

        Assert.Equal(original.Token.Kind(), rewritten.Token.Kind());
        var opening = kind switch { Kind.Regular => 1, Kind.Verbatim => 2, _ => 3 };
        Assert.Equal(original.Token.Text[..opening], rewritten.Token.Text[..opening]); // " stays ", @" stays @", """ stays """
        var compressed = PromptCompressor.Compress(original.Token.ValueText);
        Assert.Equal(compressed, rewritten.Token.ValueText);
        var valueLines = compressed.Split('\n').Length;
        var sourceLines = rewritten.Token.Text.Split('\n').Length;
        Assert.Equal(kind switch { Kind.Regular => 1, Kind.Verbatim => valueLines, _ => valueLines + 2 }, sourceLines);
        if (kind == Kind.Raw)
        {
            Assert.All(rewritten.Token.Text.Split('\n').Skip(1).Where(l => l.Trim().Length > 0), l => Assert.StartsWith("            ", l, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_eShop_raw_system_prompt_of_the_real_code_corpus_stays_raw()
    {
        var source = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "RealCode", "EShopChatState.cs"));
        var document = CreateDocument(source);
        var diagnostics = await AnalyzeAsync(document);
        var diagnostic = Assert.Single(diagnostics); // the raw """ system prompt
        var actions = await FixesAsync(document, diagnostic);
        var (original, rewritten) = await ApplyAsync(document, diagnostic, Assert.Single(actions));
        Assert.True(rewritten.Token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken), rewritten.Token.Text);
        Assert.Equal(original.Token.Text.Split('\n')[^1], rewritten.Token.Text.Split('\n')[^1]); // same closing indentation
    }

    private static string RawLiteral(string text, string indentation)
    {
        var quotes = new string('"', Math.Max(3, LongestQuoteRun(text) + 1));
        var lines = text.Split('\n').Select(l => l.Length == 0 ? "" : indentation + l);
        return quotes + "\n" + string.Join("\n", lines) + "\n" + indentation + quotes;
    }

    private static int LongestQuoteRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '"' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    private static async Task<(LiteralExpressionSyntax Original, LiteralExpressionSyntax Rewritten)> ApplyFixAsync(string source)
    {
        var document = CreateDocument(source);
        var diagnostic = Assert.Single(await AnalyzeAsync(document));
        var actions = await FixesAsync(document, diagnostic);
        var action = Assert.Single(actions);
        return await ApplyAsync(document, diagnostic, action);
    }

    private static async Task<(LiteralExpressionSyntax Original, LiteralExpressionSyntax Rewritten)> ApplyAsync(Document document, Diagnostic diagnostic, CodeAction action)
    {
        var original = (LiteralExpressionSyntax)(await document.GetSyntaxRootAsync())!.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        var operation = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        var changed = operation.ChangedSolution.GetDocument(document.Id)!;
        var compilation = await changed.Project.GetCompilationAsync();
        Assert.Empty(compilation!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var rewritten = (await changed.GetSyntaxRootAsync())!.FindToken(original.SpanStart).Parent as LiteralExpressionSyntax;
        Assert.NotNull(rewritten);
        return (original, rewritten);
    }

    private static async Task<List<CodeAction>> FixesAsync(Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        await new CompressPromptCodeFix().RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
        return actions;
    }

    private static Document CreateDocument(string source)
    {
        var workspace = new AdhocWorkspace();
        var references = ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None).GetAwaiter().GetResult()
            .AddRange(V.Libraries.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "P", "P", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.CSharp12), metadataReferences: references));
        return workspace.AddDocument(project.Id, "C.cs", SourceText.From(source));
    }

    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document)
    {
        var compilation = await document.Project.GetCompilationAsync();
        var diagnostics = await compilation!.WithAnalyzers([new VerboseSystemPromptAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => d.Id == "PO0001").ToImmutableArray();
    }
}
