using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
            var method = (IMethodSymbol)context.Symbol;
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
            if (attribute is null) return;

            // The implementation part of a partial method is analysed through its definition.
            if (method.PartialDefinitionPart is not null) return;

            var diagnostics = new List<ParseDiagnostic>();
            PromptMethodParser.Parse(method, attribute, diagnostics, context.CancellationToken);
            foreach (var d in diagnostics) context.ReportDiagnostic(d.ToDiagnostic());
        }
    }
}
