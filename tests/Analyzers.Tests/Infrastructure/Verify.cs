using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PromptOps.Analyzers.Tests.Infrastructure;

/// <summary>
/// Analyzer and code-fix tests with Microsoft.CodeAnalysis.Testing (<see cref="DefaultVerifier"/>) against the .NET 8
/// reference assemblies, Microsoft.Extensions.AI.Abstractions and the OpenAI SDK (their net8.0 builds), and a
/// source copy of the PromptOps attributes (the analyzers find them by metadata name).
/// </summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public const string PromptOpsAttributes = """
        namespace PromptOps
        {
            [global::System.AttributeUsage(global::System.AttributeTargets.Method)]
            public sealed class PromptAttribute : global::System.Attribute
            {
                public string? Task { get; set; }
                public string? CacheTtl { get; set; }
                public string? System { get; set; }
                public string? User { get; set; }
                public int MaxTokens { get; set; }
                public string? Tier { get; set; }
                public double Temperature { get; set; } = double.NaN;
                public int MaxInputTokens { get; set; }
                public double SemanticThreshold { get; set; } = double.NaN;
                public string? OnTruncation { get; set; }
                public string? Length { get; set; }
                public double Minimum { get; set; } = double.NaN;
                public double Maximum { get; set; } = double.NaN;
                public bool Deferrable { get; set; }
            }

            [System.AttributeUsage(System.AttributeTargets.Parameter)]
            public sealed class CacheScopeAttribute : System.Attribute { }

            [System.AttributeUsage(System.AttributeTargets.Parameter)]
            public sealed class MaxInputTokensAttribute : System.Attribute { public MaxInputTokensAttribute(int n) { } }
        }
        """;

    // The net8.0 builds from the NuGet cache (paths recorded at build time): the test compilations use .NET 8
    // reference assemblies, and the net10.0 builds would not bind against them (CS1705).
    internal static readonly string[] Libraries = References("net8:");

    /// <summary>
    /// Anthropic's SDK (net8.0) and the System.Text.Json it was built against, added only to the compilations of the
    /// Anthropic tests (<see cref="AnthropicAnalyzerAsync"/>): every other test compiles without them.
    /// </summary>
    internal static readonly string[] AnthropicLibraries = References("anthropic:");

    private static string[] References(string prefix) => typeof(Verify<TAnalyzer>).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>()
        .Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal))
        .Select(a => File.Exists(a.Value) ? a.Value! : throw new FileNotFoundException("Reference for the test compilations not found.", a.Value))
        .ToArray();

    /// <summary>As <see cref="AnalyzerAsync(string, string?, DiagnosticResult[])"/>, with Anthropic's SDK referenced.</summary>
    public static async Task AnthropicAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test.TestState, null);
        test.TestState.AdditionalReferences.AddRange(AnthropicLibraries.Select(p => MetadataReference.CreateFromFile(p)));
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>As <see cref="CodeFixAsync{TFix}"/>, with Anthropic's SDK referenced.</summary>
    public static async Task AnthropicCodeFixAsync<TFix>(string source, string fixedSource, string? title = null)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource };
        if (title is not null) test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
        foreach (var state in new[] { test.TestState, test.FixedState })
        {
            Configure(state, null);
            state.AdditionalReferences.AddRange(AnthropicLibraries.Select(p => MetadataReference.CreateFromFile(p)));
        }

        await test.RunAsync();
    }

    public static DiagnosticResult Diagnostic(string id) => CSharpAnalyzerVerifier<TAnalyzer, DefaultVerifier>.Diagnostic(id);

    public static async Task AnalyzerAsync(string source, string? editorConfig = null, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = source };
        Configure(test.TestState, editorConfig);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>Several files in one project (markup allowed in each).</summary>
    public static async Task AnalyzerAsync((string Name, string Source)[] files, string? editorConfig = null)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach (var (name, source) in files) test.TestState.Sources.Add((name, source));
        Configure(test.TestState, editorConfig);
        await test.RunAsync();
    }

    public static async Task CodeFixAsync<TFix>(string source, string fixedSource, string? editorConfig = null, int? iterations = null, int? codeActionIndex = null,
        LanguageVersion? languageVersion = null, string? title = null, DiagnosticResult[]? expected = null)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier> { TestCode = source, FixedCode = fixedSource, CodeActionIndex = codeActionIndex };
        if (expected is not null) test.ExpectedDiagnostics.AddRange(expected);
        if (languageVersion is { } version)
        {
            test.SolutionTransforms.Add((solution, projectId) =>
                solution.WithProjectParseOptions(projectId, ((CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!).WithLanguageVersion(version)));
        }

        if (title is not null)
        {
            test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
        }

        Configure(test.TestState, editorConfig);
        Configure(test.FixedState, editorConfig);
        if (source == fixedSource)
        {
            // A no-fix case: the diagnostic stays, so the fixed state expects it too.
            test.FixedState.MarkupHandling = MarkupMode.Allow;
        }

        if (iterations is { } n)
        {
            test.NumberOfFixAllIterations = n;
            test.NumberOfIncrementalIterations = n;
        }

        await test.RunAsync();
    }

    private static void Configure(SolutionState state, string? editorConfig)
    {
        state.ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
        state.AdditionalReferences.AddRange(Libraries.Select(p => MetadataReference.CreateFromFile(p)));
        state.Sources.Add(("PromptOpsAttributes.cs", PromptOpsAttributes));
        if (editorConfig is null) return;
        if (editorConfig.StartsWith("is_global", StringComparison.Ordinal))
        {
            // A global config, as MSBuild writes for the build properties the package makes compiler-visible;
            // what follows a "[*.cs]" line goes into an .editorconfig beside it.
            var split = editorConfig.IndexOf("[*.cs]", StringComparison.Ordinal);
            state.AnalyzerConfigFiles.Add(("/.globalconfig", split < 0 ? editorConfig : editorConfig[..split]));
            if (split >= 0) state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n" + editorConfig[split..]));
        }
        else
        {
            state.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\n" + editorConfig));
        }
    }
}
