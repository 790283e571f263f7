using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Compression;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0001: a system prompt that costs more than it needs to, judged by what the compress fix saves
    /// (<see cref="PromptCompressor"/>, exact o200k tokens). A warning when the fix saves at least
    /// <c>promptops.po0001.min_saved_tokens</c> (default 20) tokens, or at least <c>promptops.po0001.min_saved_share</c>
    /// (default 0.15; the old key <c>promptops.max_filler_share</c> measured the same share and is read when the new one is
    /// not set) and 5 tokens, or when the prompt is longer than <c>promptops.max_system_prompt_tokens</c> (default 200);
    /// below that, when the fix saves anything, the same diagnostic with an effective severity of Info (an IDE suggestion
    /// with the same fix). The message prices the saving on the model the call names (<see cref="CallModel"/>), else on the
    /// tier's default model. Sources: <c>[Prompt(System = …)]</c>, <c>new ChatMessage(ChatRole.System, …)</c>, the OpenAI
    /// SDK's <c>new SystemChatMessage(…)</c> and <c>ChatMessage.CreateSystemMessage(…)</c>, Semantic Kernel's
    /// <c>new ChatHistory("…")</c> and <c>ChatHistory.AddSystemMessage("…")</c>, Anthropic's SDK's
    /// <c>new MessageCreateParams { System = … }</c> (a string, or each text block of a list; priced on the request's
    /// <c>Model</c>), followed through const fields and concatenations (literal parts of interpolations).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class VerboseSystemPromptAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: "true" when the text is one literal (directly or via a const) the fix can rewrite.</summary>
        public const string RewritableKey = "rewritable";
        /// <summary>Diagnostic property: tokens before compression.</summary>
        public const string TokensKey = "tokens";
        /// <summary>Diagnostic property: tokens after compression.</summary>
        public const string CompressedTokensKey = "compressedTokens";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.VerboseSystemPrompt);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.IsRelevant) return;
                FilteredOperations.RegisterObjectCreations(start, name => FilteredOperations.IsSystemMessageTypeName(name) || (apis.SkChatHistory is not null && name == "ChatHistory"),
                    FilteredOperations.HasArguments, (creation, ctx) => AnalyzeCreation(creation, ctx, apis));
                if (apis.OpenAIChatMessage is not null || apis.SkChatHistory is not null)
                {
                    FilteredOperations.RegisterInvocations(start, name => name == "CreateSystemMessage" || name == "AddSystemMessage", (invocation, ctx) => AnalyzeInvocation(invocation, ctx, apis));
                }

                if (apis.HasAnthropic)
                {
                    // Anthropic's SDK: new MessageCreateParams { System = "…" } or System = [new TextBlockParam("…"), …] (each block).
                    // The beta request type has the same name, in Anthropic.Models.Beta.Messages.
                    FilteredOperations.RegisterObjectCreations(start, name => name == "MessageCreateParams",
                        c => FilteredOperations.Assigns(c, "System"), (creation, ctx) => AnalyzeAnthropicRequest(creation, ctx, apis));
                }

                if (apis.PromptAttribute is not null) start.RegisterSyntaxNodeAction(ctx => AnalyzeAttribute(ctx, apis.PromptAttribute), SyntaxKind.Attribute);
            });
        }

        private static void AnalyzeCreation(IObjectCreationOperation creation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if ((SystemMessages.TextOf(creation, apis) ?? SystemMessages.SemanticKernelTextOf(creation, apis)) is { } text)
            {
                ReportForCall(context, text, apis);
            }
        }

        private static void AnalyzeInvocation(IInvocationOperation invocation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if ((SystemMessages.TextOf(invocation, apis) ?? SystemMessages.SemanticKernelTextOf(invocation, apis)) is { } text)
            {
                ReportForCall(context, text, apis);
            }
        }

        /// <summary>An Anthropic request's system prompt (each text block on its own), priced on the request's own <c>Model</c>.</summary>
        private static void AnalyzeAnthropicRequest(IObjectCreationOperation creation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if (!apis.IsAnthropicRequest(creation.Type) || creation.Initializer is null) return;
            var system = creation.Initializer.Initializers.OfType<ISimpleAssignmentOperation>()
                .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "System" })?.Value;
            if (system is null) return;
            var model = AnthropicMessagesAnalyzer.RequestModel(creation);
            var price = CallModel.PriceOf(model);
            foreach (var text in SystemMessages.AnthropicTextsOf(system))
            {
                Report(context.ReportDiagnostic, context.Options, ConstantText.Of(text), text, ModelTier.Balanced, price, model);
            }
        }

        private static void ReportForCall(SyntaxNodeAnalysisContext context, IOperation text, KnownApis apis)
        {
            var price = CallModel.PriceFor(text, apis, context.SemanticModel, out var named, context.CancellationToken);
            Report(context.ReportDiagnostic, context.Options, ConstantText.Of(text), text, ModelTier.Balanced, price, named);
        }

        private static void AnalyzeAttribute(SyntaxNodeAnalysisContext context, INamedTypeSymbol promptAttribute)
        {
            var attribute = (AttributeSyntax)context.Node;
            if (attribute.ArgumentList is null) return;
            var system = attribute.ArgumentList.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "System");
            if (system is null) return; // cheap syntax filter before anything is bound
            var prompt = PromptDeclaration.OfAttribute(attribute, context.SemanticModel, promptAttribute, context.CancellationToken);
            if (prompt?.Spec.SystemTemplate is not { } text) return;
            var operation = context.SemanticModel.GetOperation(system.Expression, context.CancellationToken);
            if (operation is null) return;
            // A [Prompt] names no model: the runtime routes its tier, so the tier's default model prices it.
            Report(context.ReportDiagnostic, context.Options, text, operation, prompt.EffectiveTier, null, null);
        }

        /// <summary>
        /// The severity PO0001 is reported with, or null for none: Warning when the fix saves at least
        /// <see cref="AnalyzerSettings.MinSavedTokens"/> tokens, or <see cref="AnalyzerSettings.MinSavedShare"/> of the prompt
        /// and at least <see cref="AnalyzerSettings.MinSavedTokensForShare"/> tokens, or when the prompt is over
        /// <see cref="AnalyzerSettings.MaxSystemPromptTokens"/>; Info when it saves less but something; null when it saves nothing.
        /// </summary>
        internal static DiagnosticSeverity? Severity(int tokens, int compressed, AnalyzerSettings settings)
        {
            var saved = tokens - compressed;
            var share = tokens == 0 ? 0 : (double)saved / tokens;
            if (tokens > settings.MaxSystemPromptTokens) return DiagnosticSeverity.Warning;
            if (saved >= settings.MinSavedTokens) return DiagnosticSeverity.Warning;
            if (share >= settings.MinSavedShare && saved >= AnalyzerSettings.MinSavedTokensForShare) return DiagnosticSeverity.Warning;
            return saved > 0 ? DiagnosticSeverity.Info : null;
        }

        private static void Report(System.Action<Diagnostic> report, AnalyzerOptions options, string? text, IOperation textOperation, ModelTier tier,
            ModelPriceInfo? callPrice, string? namedModel)
        {
            if (string.IsNullOrWhiteSpace(text)) return;
            var settings = AnalyzerSettings.For(options.AnalyzerConfigOptionsProvider, textOperation.Syntax.SyntaxTree);

            var tokens = TokenCounter.Count(text!);
            int compressed;
            try
            {
                // With per-call parts, compress the text with a placeholder for each (as the fix does) and count what is left
                // of the constant text: the saving the fix really makes, not one found in text whose holes were dropped.
                compressed = ConstantText.Template(textOperation) is { } template
                    ? TokenCounter.Count(ConstantText.WithoutHoles(PromptCompressor.Compress(template)))
                    : TokenCounter.Count(PromptCompressor.Compress(text!));
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                compressed = tokens; // the compressor gave up (see its timeout): judge the length only, never fail the build
            }

            if (Severity(tokens, compressed, settings) is not { } severity) return;

            var (price, modelText) = Pricing(callPrice, namedModel, tier);
            var saved = tokens - compressed;
            var share = tokens == 0 ? 0 : (double)saved / tokens;
            var monthlySaving = saved * (decimal)settings.MonthlyRequests * price.InputPerMillion / 1_000_000m;
            var monthly = tokens * (decimal)settings.MonthlyRequests * price.InputPerMillion / 1_000_000m;
            var overLimit = tokens > settings.MaxSystemPromptTokens
                ? ", over the " + settings.MaxSystemPromptTokens.ToString(CultureInfo.InvariantCulture) + "-token limit"
                : "";
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(RewritableKey, ConstantText.IsRewritable(textOperation) ? "true" : "false")
                .Add(TokensKey, tokens.ToString(CultureInfo.InvariantCulture))
                .Add(CompressedTokensKey, compressed.ToString(CultureInfo.InvariantCulture));
            report(Diagnostic.Create(Descriptors.VerboseSystemPrompt, textOperation.Syntax.GetLocation(), severity, additionalLocations: null, properties,
                tokens, compressed, share * 100, overLimit, settings.MonthlyRequests, modelText, monthlySaving, monthly));
        }

        /// <summary>
        /// The price to quote and how the message names it: the call's model when the catalogue prices it; else the tier's
        /// default model, saying so when the call named a model the catalogue does not know (never priced as $0).
        /// </summary>
        internal static (ModelPriceInfo Price, string Text) Pricing(ModelPriceInfo? callPrice, string? namedModel, ModelTier tier)
        {
            if (callPrice is not null) return (callPrice, callPrice.Model);
            var model = ModelTiers.GetDefaultModel(tier);
            var price = DefaultPrices.All.First(p => p.Model == model);
            return namedModel is null
                ? (price, model + " (the " + ModelTiers.GetName(tier) + " tier's default)")
                : (price, model + " ('" + namedModel + "' is not in the price catalogue)");
        }
    }
}
