using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

#pragma warning disable RS2008 // no release tracking: these analyzers never report

namespace PromptOps.Benchmarks.Floor
{
    /// <summary>
    /// The registrations of PromptOps' seven analyzers on a project that references Microsoft.Extensions.AI and
    /// PromptOps (no OpenAI SDK), gated the same way, with callbacks that return at once: what Roslyn's driver costs for
    /// hosting them, whatever they do. Keep in step with src/Analyzers/Rules and src/Generators/PromptMethodAnalyzer.cs.
    /// </summary>
    public abstract class FloorAnalyzer : DiagnosticAnalyzer
    {
        private readonly DiagnosticDescriptor _rule;

        protected FloorAnalyzer(string id) =>
            _rule = new DiagnosticDescriptor(id, "floor", "floor", "Floor", DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(_rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var ai = start.Compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatMessage") is not null;
                var prompt = start.Compilation.GetTypeByMetadataName("PromptOps.PromptAttribute") is not null;
                Register(start, ai, prompt);
            });
        }

        protected abstract void Register(CompilationStartAnalysisContext start, bool ai, bool prompt);

        protected static void Creations(CompilationStartAnalysisContext start) =>
            start.RegisterSyntaxNodeAction(_ => { }, SyntaxKind.ObjectCreationExpression, SyntaxKind.ImplicitObjectCreationExpression);

        protected static void Invocations(CompilationStartAnalysisContext start) => start.RegisterSyntaxNodeAction(_ => { }, SyntaxKind.InvocationExpression);

        protected static void Attributes(CompilationStartAnalysisContext start) => start.RegisterSyntaxNodeAction(_ => { }, SyntaxKind.Attribute);

        protected static void Methods(CompilationStartAnalysisContext start) => start.RegisterSymbolAction(_ => { }, SymbolKind.Method);
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorCacheUnfriendlyLayout() : FloorAnalyzer("FLOOR1")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (ai) Creations(start);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorExpensiveModel() : FloorAnalyzer("FLOOR2")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (ai) Creations(start);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorMissingOutputLimit() : FloorAnalyzer("FLOOR3")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (ai) Invocations(start);
            if (prompt) Methods(start);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorPromptCost() : FloorAnalyzer("FLOOR4")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (prompt) Methods(start);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorRepeatedSystemPrompt() : FloorAnalyzer("FLOOR5")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (!ai) return;
            Creations(start);
            Invocations(start);
            if (prompt) Attributes(start);
            start.RegisterCompilationEndAction(_ => { });
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorVerboseSystemPrompt() : FloorAnalyzer("FLOOR6")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (!ai) return;
            Creations(start);
            if (prompt) Attributes(start);
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FloorPromptMethod() : FloorAnalyzer("FLOOR7")
    {
        protected override void Register(CompilationStartAnalysisContext start, bool ai, bool prompt)
        {
            if (prompt) Methods(start);
        }
    }

    /// <summary>The generator's registration: the [Prompt] methods, found by attribute name, and nothing emitted.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class FloorGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var methods = context.SyntaxProvider.ForAttributeWithMetadataName("PromptOps.PromptAttribute", (_, _) => true, (ctx, _) => ctx.TargetSymbol.Name);
            context.RegisterSourceOutput(methods, (_, _) => { });
        }
    }
}
