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
            // The generated implementation part of a [Prompt] method lives in generated code; the analyzer must still
            // see the method (it reports at the user's declaration, never inside generated code).
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze);
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

            // A partial method with both parts is analysed once, through its definition (where the attribute is).
            if (method.PartialDefinitionPart is { } definition) method = definition;
            else if (method.PartialImplementationPart is not null) return;
            if (!AttributeSyntaxFilter.MayHaveAttributes(method, context.CancellationToken)) return; // cannot carry [Prompt]

            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
            if (attribute is null) return;

            var diagnostics = new List<ParseDiagnostic>();
            PromptMethodParser.Parse(method, attribute, diagnostics, context.CancellationToken);
            foreach (var d in diagnostics) context.ReportDiagnostic(d.ToDiagnostic());
        }
    }
}
