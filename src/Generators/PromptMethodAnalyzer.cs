using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.Generators.Diagnostics;
using PromptOps.Generators.Parsing;

namespace PromptOps.Generators
{
    /// <summary>Reports the PO1xxx diagnostics for <c>[Prompt]</c> methods, using the generator's parser.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PromptMethodAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.All);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            // The user's declaration is never generated code; the generated implementation part is (its file is), and
            // every diagnostic is reported at the user's declaration.
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var attributeType = start.Compilation.GetTypeByMetadataName(PromptMethodParser.PromptAttributeName);
                if (attributeType is null) return; // PromptOps not referenced: nothing to do
                start.RegisterSymbolAction(ctx => Analyze(ctx, attributeType), SymbolKind.Method);
            });
        }

        private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
        {
            var found = PromptMethods.Find((IMethodSymbol)context.Symbol, attributeType, context.CancellationToken);
            if (found is not { } prompt) return;
            var findings = new List<ParseDiagnostic>();
            PromptMethodParser.Parse(prompt.Method, prompt.Attribute, findings, context.CancellationToken);
            foreach (var finding in findings) context.ReportDiagnostic(DiagnosticDescriptors.ToDiagnostic(finding));
        }
    }
}
