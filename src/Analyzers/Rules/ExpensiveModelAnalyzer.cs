using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0003 on plain code: <c>new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 5 }</c> — a literal model id above the
    /// cheap tier on a request whose output limit (at most <c>promptops.simple_task_max_output_tokens</c>, default 10, the
    /// classification default) marks it as a simple task. The OpenAI SDK's <c>ChatCompletionOptions</c> carries no model id
    /// (the model is chosen with the <c>ChatClient</c>), so only M.E.AI options are judged. <c>[Prompt]</c> methods are
    /// judged by <see cref="PromptCostAnalyzer"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ExpensiveModelAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the model id the fix writes.</summary>
        public const string ReplacementKey = "replacement";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ExpensiveModel);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var options = start.Compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatOptions");
                if (options is null) return;
                FilteredOperations.RegisterObjectCreations(start, name => name == "ChatOptions", c => FilteredOperations.Assigns(c, "ModelId"), (creation, ctx) => Analyze(creation, ctx, options));
            });
        }

        private static void Analyze(IObjectCreationOperation creation, SyntaxNodeAnalysisContext context, INamedTypeSymbol optionsType)
        {
            if (!SymbolEqualityComparer.Default.Equals(creation.Type, optionsType) || creation.Initializer is null) return;
            ISimpleAssignmentOperation? modelAssignment = null;
            int? maxOutput = null;
            foreach (var assignment in creation.Initializer.Initializers.OfType<ISimpleAssignmentOperation>())
            {
                if (assignment.Target is not IPropertyReferenceOperation property) continue;
                if (property.Property.Name == "ModelId") modelAssignment = assignment;
                var value = assignment.Value;
                while (value is IConversionOperation conversion) value = conversion.Operand; // int → int?
                if (property.Property.Name == "MaxOutputTokens" && value.ConstantValue.Value is int n) maxOutput = n;
            }

            if (modelAssignment?.Value.ConstantValue.Value is not string model || maxOutput is null) return;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, creation.Syntax.SyntaxTree);
            if (maxOutput > settings.SimpleTaskMaxOutputTokens) return;
            var name = DefaultPrices.ResolveName(model, n => DefaultPrices.All.Any(p => p.Model == n));
            var info = DefaultPrices.All.FirstOrDefault(p => p.Model == name);
            if (info?.Tier is not { } tier || tier <= ModelTier.FastCheap) return;

            var cheap = ModelTiers.GetDefaultModel(ModelTier.FastCheap);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, modelAssignment.Value.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add("kind", "ReplaceModel").Add(ReplacementKey, cheap),
                "These options", model, ModelTiers.GetName(tier), "short (≤ " + maxOutput + " output tokens)", ModelTiers.FastCheapName, cheap,
                PromptCostAnalyzer.PriceRatio(info.Model, cheap)));
        }
    }
}
