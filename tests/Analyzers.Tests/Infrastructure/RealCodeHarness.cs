using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace PromptOps.Analyzers.Tests.Infrastructure;

/// <summary>
/// What the real-code tests share: a document compiled against .NET 8 and the given libraries, its analyzer diagnostics,
/// and the fixes applied one diagnostic at a time, as a user would, until none is offered.
/// </summary>
internal static class RealCodeHarness
{
    /// <summary>The 1-based line of <paramref name="diagnostic"/>.</summary>
    public static int Line(Diagnostic diagnostic) => diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1;

    /// <summary>A C# 12 library project holding <paramref name="source"/>, referencing .NET 8 and <paramref name="libraries"/>.</summary>
    public static async Task<Document> CreateDocumentAsync(AdhocWorkspace workspace, string name, string source, IEnumerable<string> libraries)
    {
        var references = (await ReferenceAssemblies.Net.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None))
            .AddRange(libraries.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "RealCode", "RealCode", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.CSharp12),
            metadataReferences: references));
        return workspace.AddDocument(project.Id, name, SourceText.From(source));
    }

    /// <summary>Fails, showing the errors and the code, unless <paramref name="document"/> compiles.</summary>
    public static async Task AssertCompilesAsync(Document document)
    {
        var compilation = await document.Project.GetCompilationAsync();
        var errors = compilation!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors) + "\n" + await document.GetTextAsync());
    }

    /// <summary>The diagnostics of <paramref name="analyzers"/> whose id is in <paramref name="ids"/>, in source order.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document, ImmutableArray<DiagnosticAnalyzer> analyzers, IReadOnlyCollection<string> ids)
    {
        var compilation = await document.Project.GetCompilationAsync();
        var diagnostics = await compilation!.WithAnalyzers(analyzers).GetAnalyzerDiagnosticsAsync();
        return diagnostics.Where(d => ids.Contains(d.Id)).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>
    /// Applies the first fix offered for the first diagnostic that has one, again and again (at most <paramref name="rounds"/>
    /// times) until no fix is offered; fails when a fix leaves the code unchanged. Returns the fixed document.
    /// </summary>
    public static async Task<Document> ApplyFixesOneAtATimeAsync(Document document, Func<Document, Task<ImmutableArray<Diagnostic>>> analyze,
        IReadOnlyList<CodeFixProvider> fixes, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            CodeAction? action = null;
            foreach (var diagnostic in await analyze(document))
            {
                var actions = new List<CodeAction>();
                foreach (var fix in fixes.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
                {
                    await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), CancellationToken.None));
                }

                action = actions.FirstOrDefault();
                if (action is not null) break;
            }

            if (action is null) break;
            var operation = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
            var changed = operation.ChangedSolution.GetDocument(document.Id)!;
            Assert.NotEqual((await document.GetTextAsync()).ToString(), (await changed.GetTextAsync()).ToString()); // a fix that does nothing
            document = changed;
        }

        return document;
    }
}
