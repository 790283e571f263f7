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
    /// (the model is chosen with the <c>ChatClient</c>), so only M.E.AI options are judged. A Claude model (catalogue provider
    /// <c>anthropic</c>: the options most likely go to Anthropic's IChatClient) is offered the cheapest current Claude
    /// (<see cref="AnthropicModels.Cheapest"/>) instead of gpt-4o-mini, and is reported only above that model's tier.
    /// <c>[Prompt]</c> methods are judged by <see cref="PromptCostAnalyzer"/>; Anthropic SDK requests by
    /// <see cref="AnthropicMessagesAnalyzer"/>.
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
            if (info?.Tier is not { } tier) return;

            // A Claude model is most likely behind Anthropic's client (its IChatClient cannot reach gpt-4o-mini): the cheaper
            // model offered is the cheapest current Claude, and only models above its tier are reported.
            var anthropic = string.Equals(info.Provider, "anthropic", System.StringComparison.Ordinal);
            var cheap = anthropic ? AnthropicModels.Cheapest : ModelTiers.GetDefaultModel(ModelTier.FastCheap);
            var cheapTier = anthropic ? DefaultPrices.All.First(p => p.Model == AnthropicModels.Cheapest).Tier ?? ModelTier.FastCheap : ModelTier.FastCheap;
            if (tier <= cheapTier) return;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, modelAssignment.Value.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add("kind", "ReplaceModel").Add(ReplacementKey, cheap),
                "These options", model, ModelTiers.GetName(tier), "short (≤ " + maxOutput + " output tokens)", anthropic ? "cheapest Claude" : ModelTiers.FastCheapName, cheap,
                PromptCostAnalyzer.PriceRatio(info.Model, cheap)));
        }
    }
}
