using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.Analyzers.Tests.Repository;

/// <summary>
/// A type is found by its file name (issue #17): every source file under <c>src/</c> declares at most one public type, and
/// every file of the runtime libraries (<see cref="RuntimeLibraries"/>) at most one type of any visibility. Parts of one
/// <c>partial</c> type count once (<c>UsageReports.Daily.cs</c> holds a part of <c>UsageReports</c>); types nested in
/// another stay with it.
/// </summary>
public class OneTypePerFileTests
{
    /// <summary>The folders under <c>src/</c> of the assemblies an application loads.</summary>
    private static readonly string[] RuntimeLibraries = ["Runtime", "Redis", "Sqlite", "Reports", "Testing", "Embeddings"];

    [Fact]
    public void Every_source_file_declares_at_most_one_public_type()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var files = Sources(src).ToList();
        Assert.NotEmpty(files);
        var wrong = files
            .Select(f => (File: Path.GetRelativePath(src, f), Types: TopLevelTypes(File.ReadAllText(f), publicOnly: true)))
            .Where(f => f.Types.Count > 1)
            .Select(f => $"src/{f.File}: {string.Join(", ", f.Types)}")
            .ToList();
        Assert.True(wrong.Count == 0, "Move each public type to a file named after it:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Every_file_of_the_runtime_libraries_declares_one_type()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var wrong = new List<string>();
        foreach (var library in RuntimeLibraries)
        {
            var files = Sources(Path.Combine(src, library)).ToList();
            Assert.True(files.Count > 0, $"no source file in src/{library}: update {nameof(RuntimeLibraries)}");
            wrong.AddRange(files
                .Select(f => (File: Path.GetRelativePath(src, f), Types: TopLevelTypes(File.ReadAllText(f), publicOnly: false)))
                .Where(f => f.Types.Count > 1)
                .Select(f => $"src/{f.File}: {string.Join(", ", f.Types)}"));
        }

        Assert.True(wrong.Count == 0, "Move each type to a file named after it (a private helper may be nested instead):\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void The_count_sees_every_top_level_type_once_and_leaves_nested_types_and_partial_parts_alone()
    {
        const string source = """
            namespace A;

            public sealed record Report(int N);

            internal static class ReportLog { }

            public static partial class Reports
            {
                private sealed class Builder { }
            }

            public static partial class Reports { }

            internal enum Kind { One }

            public delegate void Done();
            """;
        Assert.Equal(["Report", "ReportLog", "Reports", "Kind", "Done"], TopLevelTypes(source, publicOnly: false));
        Assert.Equal(["Report", "Reports", "Done"], TopLevelTypes(source, publicOnly: true));
        Assert.Equal(["Inner"], TopLevelTypes("namespace A { namespace B { public class Inner { public class Nested { } } } }", publicOnly: true));
    }

    /// <summary>The names of the types declared in <paramref name="source"/> outside any other type, each once, in order.</summary>
    private static List<string> TopLevelTypes(string source, bool publicOnly) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
            .OfType<MemberDeclarationSyntax>()
            .Where(m => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax)
            .Where(m => !publicOnly || m.Modifiers.Any(SyntaxKind.PublicKeyword))
            .Select(m => m switch
            {
                BaseTypeDeclarationSyntax t => t.Identifier.ValueText,
                DelegateDeclarationSyntax d => d.Identifier.ValueText,
                _ => throw new InvalidOperationException(m.Kind().ToString()),
            })
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<string> Sources(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string RepositoryRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}
