using System.Collections.Immutable;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PromptOps.Benchmarks;

/// <summary>
/// What all PromptOps analyzers together add to a compile (see <see cref="AnalyzerWorkload"/>): the project's
/// diagnostics without analyzers (the anchor: binding every method body, which a build does before it emits) against
/// the same compile with the seven PromptOps analyzers (compiler and analyzer diagnostics, as a command-line build runs
/// them: concurrently, untimed), each on a fresh copy of the project (<see cref="Compilation.Clone"/>: same parsed
/// trees, nothing bound yet).
/// <para>Goal (issue): on the prompt-free project the analyzers add ≤ 5 % (ratio ≤ 1.05), and the o200k tokenizer is
/// never loaded there. The prompts project has no goal; its ratio is reported.</para>
/// <para>Reference rows (no goal): <c>Compile_EmptyAnalyzer</c>, <see cref="FloorAnalyzer"/> registering nothing but its
/// compilation-start action — what running any analyzer at all costs in <see cref="CompilationWithAnalyzers"/>;
/// <c>Compile_SdkAnalyzers</c> and <c>Compile_SdkAndPromptOps</c>: the .NET SDK's analyzers that every net10.0 build
/// runs (NetAnalyzers, SDK severities and build properties), without and with the PromptOps analyzers — the same
/// comparison inside a build that already runs analyzers, as every real build does.</para>
/// </summary>
[Config(typeof(AnalyzerConfig))]
public class AnalyzerBenchmarks
{
    private CSharpCompilation _project = null!;
    private ImmutableArray<DiagnosticAnalyzer> _analyzers;
    private CompilationWithAnalyzersOptions _options = null!;

    [Params(AnalyzerProject.PromptFree, AnalyzerProject.Prompts, AnalyzerProject.PromptsUnmarked)]
    public AnalyzerProject Project { get; set; }

    [GlobalSetup(Target = nameof(Compile_NoAnalyzers))]
    public void SetupNoAnalyzers()
    {
        _project = AnalyzerWorkload.Compilation(Project);
        var errors = _project.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (errors.Count > 0) throw new InvalidOperationException($"{Project}: {errors.Count} compiler warnings or errors, first: {string.Join(Environment.NewLine, errors.Take(5))}");
    }

    [GlobalSetup(Target = nameof(Compile_WithAnalyzers))]
    public void SetupWithAnalyzers()
    {
        _project = AnalyzerWorkload.Compilation(Project);
        _analyzers = AnalyzerWorkload.Analyzers();
        _options = AnalyzerWorkload.AnalysisOptions();
        Console.WriteLine($"// {_analyzers.Length} analyzers: {string.Join(", ", _analyzers.Select(a => a.GetType().Name))}");
        if (Project == AnalyzerProject.PromptFree) TokenizerCheck.AssertNotLoaded("before the first analysis", readCounter: false);

        // One run with analyzer exceptions turned into failures: the expected diagnostics, no compiler warning or error.
        var exceptions = new List<string>();
        var diagnostics = _project.Clone()
            .WithAnalyzers(_analyzers, AnalyzerWorkload.AnalysisOptions(onException: (e, a, _) => { lock (exceptions) exceptions.Add(a.GetType().Name + ": " + e); }))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        if (exceptions.Count > 0) throw new InvalidOperationException("Analyzer exceptions: " + string.Join(Environment.NewLine, exceptions.Take(3)));
        var compiler = diagnostics.Where(d => !d.Id.StartsWith("PO", StringComparison.Ordinal)).ToList();
        if (compiler.Count > 0) throw new InvalidOperationException($"{Project}: {compiler.Count} other diagnostics, first: {string.Join(Environment.NewLine, compiler.Take(5))}");
        Console.WriteLine($"// {Project}: {diagnostics.Length} PromptOps diagnostics: {string.Join(", ", diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} × {g.Count()}"))}");

        if (Project == AnalyzerProject.PromptFree)
        {
            if (diagnostics.Length > 0) throw new InvalidOperationException("The prompt-free project has PromptOps diagnostics.");
            TokenizerCheck.AssertNotLoaded("after analysing the prompt-free project");
        }
        else
        {
            // The raw calls give PO0002, PO0003, PO0005 and PO0007 in both projects; the [Prompt] methods add every rule,
            // but only where the analyzers see them (PromptsUnmarked: see AnalyzerProject.Prompts).
            string[] expected = Project == AnalyzerProject.Prompts
                ? ["PO0002", "PO0003", "PO0005", "PO0007"]
                : ["PO0001", "PO0002", "PO0003", "PO0004", "PO0005", "PO0006", "PO0007", "PO0008"];
            var missing = expected.Except(diagnostics.Select(d => d.Id)).ToList();
            if (missing.Count > 0) throw new InvalidOperationException($"{Project} lacks " + string.Join(", ", missing));
            if (!TokenizerCheck.IsLoaded()) throw new InvalidOperationException("The tokenizer check is broken: the prompts project did not load the tokenizer.");
            Console.WriteLine("// Tokenizer loaded after the prompts project (as expected): " + TokenizerCheck.Describe());
        }
    }

    /// <summary>The prompt-free process must not have loaded the tokenizer during the measured runs either.</summary>
    [GlobalCleanup(Target = nameof(Compile_WithAnalyzers))]
    public void CleanupWithAnalyzers()
    {
        if (Project == AnalyzerProject.PromptFree) TokenizerCheck.AssertNotLoaded("after all measured runs");
    }

    [GlobalSetup(Target = nameof(Compile_SdkAnalyzers))]
    public void SetupSdk()
    {
        _project = AnalyzerWorkload.WithSdkSeverities(AnalyzerWorkload.Compilation(Project));
        _analyzers = AnalyzerWorkload.SdkAnalyzers();
        _options = AnalyzerWorkload.AnalysisOptions(options: AnalyzerWorkload.SdkOptions);
        VerifySdk(_project, _analyzers);
    }

    [GlobalSetup(Target = nameof(Compile_SdkAndPromptOps))]
    public void SetupSdkAndPromptOps()
    {
        _project = AnalyzerWorkload.WithSdkSeverities(AnalyzerWorkload.Compilation(Project));
        _analyzers = [.. AnalyzerWorkload.SdkAnalyzers(), .. AnalyzerWorkload.Analyzers()];
        _options = AnalyzerWorkload.AnalysisOptions(options: AnalyzerWorkload.SdkOptions);
        VerifySdk(_project, _analyzers);
        if (Project == AnalyzerProject.PromptFree) TokenizerCheck.AssertNotLoaded("after analysing the prompt-free project with the SDK's analyzers");
    }

    [GlobalCleanup(Target = nameof(Compile_SdkAndPromptOps))]
    public void CleanupSdkAndPromptOps()
    {
        if (Project == AnalyzerProject.PromptFree) TokenizerCheck.AssertNotLoaded("after all measured runs with the SDK's analyzers");
    }

    [GlobalSetup(Target = nameof(Compile_EmptyAnalyzer))]
    public void SetupEmpty()
    {
        _project = AnalyzerWorkload.Compilation(Project);
        _analyzers = [new FloorAnalyzer(operations: false, symbols: false, syntax: false)];
        _options = AnalyzerWorkload.AnalysisOptions();
    }

    [Benchmark(Baseline = true)]
    public ImmutableArray<Diagnostic> Compile_NoAnalyzers() => _project.Clone().GetDiagnostics();

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Compile_WithAnalyzers() => _project.Clone().WithAnalyzers(_analyzers, _options).GetAllDiagnosticsAsync();

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Compile_SdkAnalyzers() => _project.Clone().WithAnalyzers(_analyzers, _options).GetAllDiagnosticsAsync();

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Compile_SdkAndPromptOps() => _project.Clone().WithAnalyzers(_analyzers, _options).GetAllDiagnosticsAsync();

    /// <summary>One run: no analyzer exception; prints what the analyzers report.</summary>
    private void VerifySdk(CSharpCompilation project, ImmutableArray<DiagnosticAnalyzer> analyzers)
    {
        var exceptions = new List<string>();
        var diagnostics = project.Clone()
            .WithAnalyzers(analyzers, AnalyzerWorkload.AnalysisOptions(onException: (e, a, _) => { lock (exceptions) exceptions.Add(a.GetType().Name + ": " + e); }, options: AnalyzerWorkload.SdkOptions))
            .GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        if (exceptions.Count > 0) throw new InvalidOperationException("Analyzer exceptions: " + string.Join(Environment.NewLine, exceptions.Take(3)));
        Console.WriteLine($"// {Project}: {analyzers.Length} analyzers, diagnostics: {string.Join(", ", diagnostics.GroupBy(d => d.Id).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} × {g.Count()}"))}");
    }

    [Benchmark]
    public Task<ImmutableArray<Diagnostic>> Compile_EmptyAnalyzer() => _project.Clone().WithAnalyzers(_analyzers, _options).GetAllDiagnosticsAsync();
}

/// <summary>
/// An analyzer that registers what the PromptOps analyzers register together — a compilation-start action that looks
/// up a type, operation actions on object creations and invocations, a symbol action on methods, a syntax action on
/// attributes and a compilation-end action — and does nothing in them. Not on generated code. Passed to
/// <c>WithAnalyzers</c> as an instance; it is not a shipped analyzer (no <c>[DiagnosticAnalyzer]</c> attribute, and its
/// descriptor is outside release tracking). The flags register only some of the actions (for
/// <c>--analyzer-times</c>); with none set, the start action registers nothing.
/// </summary>
#pragma warning disable RS1001 // no [DiagnosticAnalyzer] on purpose: with it, this net10.0 assembly would be a compiler extension (RS1041)
public sealed class FloorAnalyzer(bool operations = true, bool symbols = true, bool syntax = true) : DiagnosticAnalyzer
#pragma warning restore RS1001
{
#pragma warning disable RS2008 // release tracking: this benchmark-only analyzer never reports and is never shipped
    private static readonly DiagnosticDescriptor Never = new("FLOOR1", "never reported", "never reported", "Floor", DiagnosticSeverity.Warning, isEnabledByDefault: true);
#pragma warning restore RS2008

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Never];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.IChatClient") is null) return;
            if (operations) start.RegisterOperationAction(static _ => { }, OperationKind.ObjectCreation, OperationKind.Invocation);
            if (symbols) start.RegisterSymbolAction(static _ => { }, SymbolKind.Method);
            if (syntax) start.RegisterSyntaxNodeAction(static _ => { }, SyntaxKind.Attribute);
            if (operations || symbols || syntax) start.RegisterCompilationEndAction(static _ => { });
        });
    }
}

/// <summary>
/// Whether the o200k tokenizer has been loaded in this process: the assembly that holds its data
/// (<c>Microsoft.ML.Tokenizers.Data.O200kBase</c>) is loaded, or PromptOps' <c>TokenCounter.IsLoaded</c> (internal, read
/// by reflection) is true. The assembly list is read first: reading <c>IsLoaded</c> initialises <c>TokenCounter</c>,
/// which may load Microsoft.ML.Tokenizers itself (not the data).
/// </summary>
internal static class TokenizerCheck
{
    private const string DataAssembly = "Microsoft.ML.Tokenizers.Data.O200kBase";
    private const string TokenizerAssembly = "Microsoft.ML.Tokenizers";

    public static bool IsLoaded()
    {
        var dataLoaded = Loaded(DataAssembly);
        return dataLoaded || CounterCreated();
    }

    public static string Describe()
    {
        var data = Loaded(DataAssembly);
        var tokenizers = Loaded(TokenizerAssembly);
        return $"{DataAssembly} loaded: {data}; {TokenizerAssembly} loaded: {tokenizers}; TokenCounter.IsLoaded: {CounterCreated()}";
    }

    /// <summary>Throws when the tokenizer is loaded. Without <paramref name="readCounter"/> only the assembly list is read.</summary>
    public static void AssertNotLoaded(string when, bool readCounter = true)
    {
        var description = readCounter ? Describe() : $"{DataAssembly} loaded: {Loaded(DataAssembly)}; {TokenizerAssembly} loaded: {Loaded(TokenizerAssembly)}";
        Console.WriteLine($"// Tokenizer {when}: {description}");
        if (Loaded(DataAssembly) || (readCounter && CounterCreated())) throw new InvalidOperationException($"The o200k tokenizer was loaded {when}: {description}");
    }

    private static bool Loaded(string name) => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == name);

    private static bool CounterCreated() =>
        (bool)typeof(PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer).Assembly
            .GetType("PromptOps.Analyzers.Infrastructure.TokenCounter", throwOnError: true)!
            .GetProperty("IsLoaded", BindingFlags.Public | BindingFlags.Static)!
            .GetValue(null)!;
}
