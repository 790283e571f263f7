using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace PromptOps.Benchmarks;

/// <summary>
/// The PromptOps generator on 1,000 <c>[Prompt]</c> methods against the anchor, the <c>[LoggerMessage]</c> generator
/// on 1,000 <c>[LoggerMessage]</c> methods (see <see cref="GeneratorWorkload"/>).
/// <list type="bullet">
/// <item><b>Cold:</b> a new <see cref="CSharpGeneratorDriver"/> runs once on a fresh copy of the project's compilation
/// (<see cref="Compilation.Clone"/>: same parsed syntax trees and references, no symbols or bindings yet), as in a
/// build.</item>
/// <item><b>Incremental:</b> the driver of the previous run runs on a new compilation in which one unrelated file's
/// method body changed (<see cref="Compilation.ReplaceSyntaxTree"/>), as in an IDE after a keystroke. The edit
/// alternates between two pre-parsed versions of the file, so every run sees exactly one changed file.</item>
/// </list>
/// Goals (issue): PromptOps cold ≤ 1.5× LoggerMessage cold; PromptOps incremental ≤ 0.2× PromptOps cold.
/// <para>Reference rows (no goal), <c>RoslynFloor_*</c>: <see cref="FloorGenerator"/>, a generator that only finds the
/// same 1,000 <c>[Prompt]</c> methods with <c>ForAttributeWithMetadataName</c> (as PromptOps does) and keeps their names:
/// the part of every run that Roslyn does for any such generator, before the generator's own code.</para>
/// </summary>
[Config(typeof(GeneratorConfig))]
public class GeneratorBenchmarks
{
    private CSharpCompilation _promptOpsProject = null!;
    private CSharpCompilation _loggerProject = null!;
    private ISourceGenerator _promptOpsGenerator = null!;
    private ISourceGenerator _loggerGenerator = null!;
    private IncrementalSession _promptOpsSession = null!;
    private IncrementalSession _loggerSession = null!;
    private ISourceGenerator _floorGenerator = null!;
    private IncrementalSession _floorSession = null!;

    /// <summary>
    /// How the 1,000 methods are laid out: 20 per class (50 classes, the issue's layout) or 1 per class (1,000
    /// classes). The anchor's cost depends on it: the <c>[LoggerMessage]</c> generator re-reads the whole class for
    /// every attributed method.
    /// </summary>
    [Params(20, 1)]
    public int MethodsPerClass { get; set; } = 20;

    [GlobalSetup(Targets = [nameof(PromptOps_Cold), nameof(PromptOps_Incremental)])]
    public void SetupPromptOps()
    {
        _promptOpsGenerator = GeneratorWorkload.PromptOpsGenerator();
        _promptOpsProject = GeneratorWorkload.PromptOpsProject(MethodsPerClass);

        // The generator must write the 1,000 methods (one file per class), the project plus its output must compile,
        // and an unrelated edit must leave every output cached.
        Verify("PromptOps", _promptOpsGenerator, _promptOpsProject, expectedFiles: GeneratorWorkload.MethodCount / MethodsPerClass, methodSuffix: "Async(");
        VerifyIncremental("PromptOps", _promptOpsGenerator, _promptOpsProject);
        _promptOpsSession = new IncrementalSession(_promptOpsGenerator, _promptOpsProject);
    }

    [GlobalSetup(Targets = [nameof(LoggerMessage_Cold), nameof(LoggerMessage_Incremental)])]
    public void SetupLoggerMessage()
    {
        _loggerGenerator = GeneratorWorkload.LoggerMessageGenerator();
        _loggerProject = GeneratorWorkload.LoggerMessageProject(MethodsPerClass);
        Verify("LoggerMessage", _loggerGenerator, _loggerProject, expectedFiles: 1, methodSuffix: "(");
        VerifyIncremental("LoggerMessage", _loggerGenerator, _loggerProject);
        _loggerSession = new IncrementalSession(_loggerGenerator, _loggerProject);
    }

    [GlobalSetup(Targets = [nameof(RoslynFloor_Cold), nameof(RoslynFloor_Incremental)])]
    public void SetupFloor()
    {
        _floorGenerator = new FloorGenerator().AsSourceGenerator();
        _promptOpsProject = GeneratorWorkload.PromptOpsProject(MethodsPerClass);
        var found = CreateDriver(_floorGenerator).RunGenerators(_promptOpsProject.Clone()).GetRunResult().GeneratedTrees.Single().ToString();
        if (found != FloorGenerator.Text(GeneratorWorkload.MethodCount)) throw new InvalidOperationException("The floor generator found: " + found);
        VerifyIncremental("RoslynFloor", _floorGenerator, _promptOpsProject);
        _floorSession = new IncrementalSession(_floorGenerator, _promptOpsProject);
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver LoggerMessage_Cold() => Cold(_loggerGenerator, _loggerProject);

    [Benchmark]
    public GeneratorDriver PromptOps_Cold() => Cold(_promptOpsGenerator, _promptOpsProject);

    [Benchmark]
    public GeneratorDriver LoggerMessage_Incremental() => _loggerSession.EditAndRun();

    [Benchmark]
    public GeneratorDriver PromptOps_Incremental() => _promptOpsSession.EditAndRun();

    [Benchmark]
    public GeneratorDriver RoslynFloor_Cold() => Cold(_floorGenerator, _promptOpsProject);

    [Benchmark]
    public GeneratorDriver RoslynFloor_Incremental() => _floorSession.EditAndRun();

    private static GeneratorDriver CreateDriver(ISourceGenerator generator, bool track = false) =>
        CSharpGeneratorDriver.Create(
            [generator],
            parseOptions: GeneratorWorkload.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private static GeneratorDriver Cold(ISourceGenerator generator, CSharpCompilation project) =>
        CreateDriver(generator).RunGenerators(project.Clone());

    private static void Verify(string name, ISourceGenerator generator, CSharpCompilation project, int expectedFiles, string methodSuffix)
    {
        CreateDriver(generator).RunGeneratorsAndUpdateCompilation(project.Clone(), out var output, out var generatorDiagnostics);
        var generated = output.SyntaxTrees.Skip(project.SyntaxTrees.Length).ToList();
        if (generated.Count != expectedFiles)
        {
            throw new InvalidOperationException($"{name}: the generator wrote {generated.Count} files.");
        }

        var text = string.Concat(generated.Select(t => t.ToString()));
        for (var i = 0; i < GeneratorWorkload.MethodCount; i++)
        {
            if (!text.Contains($" M{i}{methodSuffix}", StringComparison.Ordinal)) throw new InvalidOperationException($"{name}: no generated body for M{i}.");
        }

        var errors = generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"{name}: {errors.Count} errors, first: {string.Join(Environment.NewLine, errors.Take(5))}");
        }
    }

    private static void VerifyIncremental(string name, ISourceGenerator generator, CSharpCompilation project)
    {
        var compilation = project.Clone();
        var driver = CreateDriver(generator, track: true).RunGenerators(compilation);
        var before = driver.GetRunResult().GeneratedTrees.Length;
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(t => t.FilePath == GeneratorWorkload.UnrelatedPath), GeneratorWorkload.Unrelated(1));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();
        var reasons = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        if (result.GeneratedSources.Length != before || reasons.Count == 0
            || reasons.Any(r => r is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
        {
            throw new InvalidOperationException(
                $"{name}: after an unrelated edit the outputs were {string.Join(", ", reasons.GroupBy(r => r).Select(g => $"{g.Count()} {g.Key}"))}.");
        }
    }

    /// <summary>A driver that has run, and the compilation it ran on; each call edits the unrelated file and runs again.</summary>
    private sealed class IncrementalSession
    {
        private readonly ImmutableArray<SyntaxTree> _versions = [GeneratorWorkload.Unrelated(0), GeneratorWorkload.Unrelated(1)];
        private Compilation _compilation;
        private GeneratorDriver _driver;
        private int _current;

        public IncrementalSession(ISourceGenerator generator, CSharpCompilation project)
        {
            _compilation = project.Clone().ReplaceSyntaxTree(project.SyntaxTrees.Single(t => t.FilePath == GeneratorWorkload.UnrelatedPath), _versions[0]);
            _driver = CreateDriver(generator).RunGenerators(_compilation);
        }

        public GeneratorDriver EditAndRun()
        {
            var next = 1 - _current;
            _compilation = _compilation.ReplaceSyntaxTree(_versions[_current], _versions[next]);
            _current = next;
            _driver = _driver.RunGenerators(_compilation);
            return _driver;
        }
    }
}

/// <summary>
/// The reference for "what Roslyn does anyway": finds <c>[Prompt]</c> methods exactly as the PromptOps generator does
/// (<c>ForAttributeWithMetadataName</c>, same attribute, same syntax predicate), keeps only each method's name, and
/// writes one comment line with the count.
/// </summary>
public sealed class FloorGenerator : IIncrementalGenerator
{
    public static string Text(int count) => "// " + count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " [Prompt] methods\n";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName(
            "PromptOps.PromptAttribute",
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (ctx, _) => ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(names.Collect(), static (spc, all) => spc.AddSource("Floor.g.cs", Text(all.Length)));
    }
}
