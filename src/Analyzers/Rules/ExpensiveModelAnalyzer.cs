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
    /// <see cref="AnthropicMessagesAnalyzer"/>. A call whose options set a small limit and no ModelId is judged on the model
    /// named where its client was made (<c>client.AsIChatClient("claude-opus-4-6")</c>), reported at the call without a fix.
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
                var apis = KnownApis.Create(start.Compilation);
                FilteredOperations.RegisterInvocations(start, name => name == "GetResponseAsync" || name == "GetStreamingResponseAsync",
                    (invocation, ctx) => AnalyzeCall(invocation, ctx, apis, options));
            });
        }

        /// <summary>
        /// The model named where the client was made (<c>client.AsIChatClient("claude-opus-4-6")</c>,
        /// <c>GetChatClient("gpt-4o").AsIChatClient()</c>) on a call whose options — created in the call, or a local's initializer
        /// with no later <c>ModelId</c> — set a small <c>MaxOutputTokens</c> and no <c>ModelId</c>. Reported at the call; no fix
        /// (the client's model serves its other calls too): the message says to set <c>ModelId</c> on these options.
        /// </summary>
        private static void AnalyzeCall(IInvocationOperation invocation, SyntaxNodeAnalysisContext context, KnownApis apis, INamedTypeSymbol optionsType)
        {
            if (!CallModel.IsChatCall(invocation.TargetMethod, apis)) return;
            var argument = invocation.Arguments.FirstOrDefault(a => a.ArgumentKind != ArgumentKind.DefaultValue && a.Parameter is not null
                                                                    && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, optionsType));
            if (argument is null) return;
            var root = (IOperation)invocation;
            while (root.Parent is not null) root = root.Parent;
            var value = SystemMessages.Unwrap(argument.Value);
            if (value is ILocalReferenceOperation local)
            {
                var declarator = root.Descendants().OfType<IVariableDeclaratorOperation>().FirstOrDefault(d => SymbolEqualityComparer.Default.Equals(d.Symbol, local.Local));
                var touched = root.Descendants().Any(op =>
                    (op is IAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, local.Local))
                    || (op is IAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "ModelId", Instance: { } owner } }
                        && SystemMessages.Unwrap(owner) is ILocalReferenceOperation o && SymbolEqualityComparer.Default.Equals(o.Local, local.Local)));
                if (touched || declarator?.Initializer is null) return;
                value = SystemMessages.Unwrap(declarator.Initializer.Value);
            }

            if (value is not IObjectCreationOperation { Initializer: { } initializer } creation || !SymbolEqualityComparer.Default.Equals(creation.Type, optionsType)) return;
            int? maxOutput = null;
            foreach (var assignment in initializer.Initializers.OfType<ISimpleAssignmentOperation>())
            {
                if (assignment.Target is not IPropertyReferenceOperation property) continue;
                if (property.Property.Name == "ModelId") return; // judged on the options (Analyze)
                if (property.Property.Name == "MaxOutputTokens" && SystemMessages.Unwrap(assignment.Value).ConstantValue.Value is int n) maxOutput = n;
            }

            if (maxOutput is null || maxOutput <= 0) return;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, invocation.Syntax.SyntaxTree);
            if (maxOutput > settings.SimpleTaskMaxOutputTokens) return;
            if (CallModel.ClientModel(invocation, context.SemanticModel, context.CancellationToken) is not { } model) return;
            if (!TryCheaper(model, out var info, out var tier, out var anthropic, out var cheap)) return;
            var location = invocation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax member }
                ? member.Name.GetLocation()
                : invocation.Syntax.GetLocation();
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, location,
                ImmutableDictionary<string, string?>.Empty.Add("kind", "None").Add(ReplacementKey, cheap),
                "This " + invocation.TargetMethod.Name + " call's client", model, ModelTiers.GetName(tier), "short (≤ " + maxOutput + " output tokens)",
                anthropic ? "cheapest Claude" : ModelTiers.FastCheapName, cheap + ", as ModelId on these options", PromptCostAnalyzer.PriceRatio(info.Model, cheap)));
        }

        /// <summary>
        /// The catalogue entry of <paramref name="model"/> when it is above the tier of the cheaper model offered for it: the
        /// cheapest current Claude for a Claude model (its client cannot reach gpt-4o-mini), the fast_cheap default otherwise.
        /// </summary>
        private static bool TryCheaper(string model, out ModelPriceInfo info, out ModelTier tier, out bool anthropic, out string cheap)
        {
            info = CallModel.PriceOf(model)!;
            tier = default;
            anthropic = false;
            cheap = ModelTiers.GetDefaultModel(ModelTier.FastCheap);
            if (info?.Tier is not { } found) return false;
            tier = found;
            anthropic = string.Equals(info.Provider, "anthropic", System.StringComparison.Ordinal);
            if (anthropic) cheap = AnthropicModels.Cheapest;
            var cheapTier = anthropic ? DefaultPrices.All.First(p => p.Model == AnthropicModels.Cheapest).Tier ?? ModelTier.FastCheap : ModelTier.FastCheap;
            return tier > cheapTier;
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
            // A Claude model is most likely behind Anthropic's client (its IChatClient cannot reach gpt-4o-mini): the cheaper
            // model offered is the cheapest current Claude, and only models above its tier are reported.
            if (!TryCheaper(model, out var info, out var tier, out var anthropic, out var cheap)) return;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, modelAssignment.Value.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add("kind", "ReplaceModel").Add(ReplacementKey, cheap),
                "These options", model, ModelTiers.GetName(tier), "short (≤ " + maxOutput + " output tokens)", anthropic ? "cheapest Claude" : ModelTiers.FastCheapName, cheap,
                PromptCostAnalyzer.PriceRatio(info.Model, cheap)));
        }
    }
}
