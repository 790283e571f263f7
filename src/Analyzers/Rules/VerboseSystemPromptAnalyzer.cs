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
    /// PO0001: a system prompt that costs more than it needs to — longer than <c>promptops.max_system_prompt_tokens</c>
    /// (default 200, exact o200k tokens) or with a filler share of at least <c>promptops.max_filler_share</c> (default 0.3,
    /// measured as what <see cref="PromptCompressor"/> removes). Sources: <c>[Prompt(System = …)]</c>,
    /// <c>new ChatMessage(ChatRole.System, …)</c>, the OpenAI SDK's <c>new SystemChatMessage(…)</c> and
    /// <c>ChatMessage.CreateSystemMessage(…)</c>, followed through const fields and concatenations (literal parts of
    /// interpolations).
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
                FilteredOperations.RegisterObjectCreations(start, FilteredOperations.IsSystemMessageTypeName, FilteredOperations.HasArguments, (creation, ctx) => AnalyzeCreation(creation, ctx, apis));
                if (apis.OpenAIChatMessage is not null) FilteredOperations.RegisterInvocations(start, name => name == "CreateSystemMessage", (invocation, ctx) => AnalyzeInvocation(invocation, ctx, apis));
                if (apis.PromptAttribute is not null) start.RegisterSyntaxNodeAction(ctx => AnalyzeAttribute(ctx, apis.PromptAttribute), SyntaxKind.Attribute);
            });
        }

        private static void AnalyzeCreation(IObjectCreationOperation creation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if (SystemMessages.TextOf(creation, apis) is { } text)
            {
                Report(context.ReportDiagnostic, context.Options, text, ModelTier.Balanced);
            }
        }

        private static void AnalyzeInvocation(IInvocationOperation invocation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if (SystemMessages.TextOf(invocation, apis) is { } text)
            {
                Report(context.ReportDiagnostic, context.Options, text, ModelTier.Balanced);
            }
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
            Report(context.ReportDiagnostic, context.Options, text, operation, prompt.EffectiveTier);
        }

        private static void Report(System.Action<Diagnostic> report, AnalyzerOptions options, IOperation textOperation, ModelTier tier) =>
            Report(report, options, ConstantText.Of(textOperation), textOperation, tier);

        private static void Report(System.Action<Diagnostic> report, AnalyzerOptions options, string? text, IOperation textOperation, ModelTier tier)
        {
            if (string.IsNullOrWhiteSpace(text)) return;
            var settings = AnalyzerSettings.For(options.AnalyzerConfigOptionsProvider, textOperation.Syntax.SyntaxTree);

            var tokens = TokenCounter.Count(text!);
            int compressed;
            try
            {
                compressed = TokenCounter.Count(PromptCompressor.Compress(text!));
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                compressed = tokens; // the compressor gave up (see its timeout): judge the length only, never fail the build
            }


            var filler = tokens == 0 ? 0 : (double)(tokens - compressed) / tokens;
            var tooLong = tokens > settings.MaxSystemPromptTokens;
            var tooFilled = filler >= settings.MaxFillerShare && tokens - compressed >= 5;
            if (!tooLong && !tooFilled) return;

            var model = ModelTiers.GetDefaultModel(tier);
            var price = DefaultPrices.All.First(p => p.Model == model);
            var monthly = tokens * (decimal)settings.MonthlyRequests * price.InputPerMillion / 1_000_000m;
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(RewritableKey, ConstantText.IsRewritable(textOperation) ? "true" : "false")
                .Add(TokensKey, tokens.ToString(CultureInfo.InvariantCulture))
                .Add(CompressedTokensKey, compressed.ToString(CultureInfo.InvariantCulture));
            report(Diagnostic.Create(Descriptors.VerboseSystemPrompt, textOperation.Syntax.GetLocation(), properties,
                tokens, filler * 100, settings.MonthlyRequests, model, monthly));
        }
    }
}
