using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0005 on plain code: a system message built as <c>$"Today is {now}. …static instructions…"</c> or
    /// <c>userName + "…static…"</c>. Providers cache prompts by identical prefix (OpenAI from 1,024 tokens, Anthropic at
    /// marked breakpoints); a value that changes per request at the very start makes every prefix unique, so nothing is
    /// ever served from the provider's cache. Reported when at least <c>promptops.min_cacheable_prefix_tokens</c>
    /// (default 32) tokens of static text follow the dynamic start. <c>[Prompt]</c> templates are judged by
    /// <see cref="PromptCostAnalyzer"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CacheUnfriendlyLayoutAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.CacheUnfriendlyLayout);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (apis.ChatMessage is null && apis.OpenAISystemMessage is null) return;
                FilteredOperations.RegisterObjectCreations(start, FilteredOperations.IsSystemMessageTypeName, FilteredOperations.HasArguments, (creation, ctx) =>
                {
                    var text = SystemMessages.TextOf(creation, apis);
                    if (text is null) return;
                    while (text is IConversionOperation c) text = c.Operand;
                    var settings = AnalyzerSettings.For(ctx.Options.AnalyzerConfigOptionsProvider, text.Syntax.SyntaxTree);
                    if (!Split(text, out var before, out var dynamic, out var after)) return;
                    if (TokenCounter.Count(before) >= settings.MinCacheablePrefixTokens) return; // a cacheable prefix exists already
                    var tokens = TokenCounter.Count(after);
                    if (tokens < settings.MinCacheablePrefixTokens) return;
                    ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.CacheUnfriendlyLayout, text.Syntax.GetLocation(), "system prompt", dynamic, tokens));
                });
            });
        }

        /// <summary>
        /// Splits a string built from parts into the static text before the first dynamic part, that part's source, and
        /// the static text after it. False when the string has no dynamic part.
        /// </summary>
        private static bool Split(IOperation text, out string before, out string dynamic, out string after)
        {
            before = after = dynamic = string.Empty;
            var parts = new System.Collections.Generic.List<IOperation>();
            Flatten(text, parts);
            var seenDynamic = false;
            foreach (var part in parts)
            {
                var constant = part is IInterpolatedStringTextOperation t ? t.Text.ConstantValue.Value as string : part.ConstantValue.Value as string;
                var isConstant = part is IInterpolatedStringTextOperation || part.ConstantValue.HasValue;
                if (!isConstant && !seenDynamic)
                {
                    seenDynamic = true;
                    dynamic = part is IInterpolationOperation i ? "{" + i.Expression.Syntax + "}" : part.Syntax.ToString();
                }
                else if (isConstant)
                {
                    if (seenDynamic) after += constant; else before += constant;
                }
            }

            return seenDynamic;
        }

        private static void Flatten(IOperation operation, System.Collections.Generic.List<IOperation> parts)
        {
            while (operation is IConversionOperation c) operation = c.Operand;
            switch (operation)
            {
                case IInterpolatedStringOperation interpolated:
                    parts.AddRange(interpolated.Parts);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when !binary.ConstantValue.HasValue:
                    Flatten(binary.LeftOperand, parts);
                    Flatten(binary.RightOperand, parts);
                    break;
                default:
                    parts.Add(operation);
                    break;
            }
        }
    }
}
