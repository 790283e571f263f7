using System.Collections.Immutable;
using System.Linq;
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
    /// (default 32) tokens of static text follow the dynamic start. Anthropic's SDK requests are judged too:
    /// <c>new MessageCreateParams { System = $"…" }</c> and the first <c>TextBlockParam</c> of a <c>System</c> list (Anthropic
    /// caches up to a <c>cache_control</c> breakpoint, and a prefix that differs in its first tokens never matches one).
    /// <c>[Prompt]</c> templates are judged by
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
                if (apis.ChatMessage is not null || apis.OpenAISystemMessage is not null)
                {
                    FilteredOperations.RegisterObjectCreations(start, FilteredOperations.IsSystemMessageTypeName, FilteredOperations.HasArguments,
                        (creation, ctx) => Judge(SystemMessages.TextOf(creation, apis), ctx));
                }

                if (apis.HasAnthropic)
                {
                    // Anthropic's SDK: new MessageCreateParams { System = $"…", … } (a string) or System = [new TextBlockParam($"…"), …]
                    // (the first block starts the prefix).
                    FilteredOperations.RegisterObjectCreations(start, name => name == "MessageCreateParams", c => FilteredOperations.Assigns(c, "System"),
                        (creation, ctx) =>
                        {
                            if (apis.IsAnthropicRequest(creation.Type)) Judge(AnthropicSystemText(creation, "System"), ctx);
                        });
                    // …and a system message among the request's messages: new SystemMessageParam($"…") or { Content = $"…" }.
                    FilteredOperations.RegisterObjectCreations(start, name => name == "SystemMessageParam" || name == "BetaSystemMessageParam",
                        c => FilteredOperations.HasArguments(c) || FilteredOperations.Assigns(c, "Content"),
                        (creation, ctx) =>
                        {
                            if (creation.Type is not { Name: "SystemMessageParam" or "BetaSystemMessageParam" } type
                                || !KnownApis.IsInAnthropicSdk(type))
                            {
                                return;
                            }

                            Judge(creation.Arguments.Length >= 1 ? First(creation.Arguments[0].Value) : AnthropicSystemText(creation, "Content"), ctx);
                        });
                }
            });
        }

        private static void Judge(IOperation? text, SyntaxNodeAnalysisContext ctx)
        {
            if (text is null) return;
            while (text is IConversionOperation c) text = c.Operand;
            var settings = AnalyzerSettings.For(ctx.Options.AnalyzerConfigOptionsProvider, text.Syntax.SyntaxTree);
            if (!Split(text, out var before, out var dynamic, out var after)) return;
            if (TokenCounter.Count(before) >= settings.MinCacheablePrefixTokens) return; // a cacheable prefix exists already
            var tokens = TokenCounter.Count(after);
            if (tokens < settings.MinCacheablePrefixTokens) return;
            ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.CacheUnfriendlyLayout, text.Syntax.GetLocation(), "system prompt", dynamic, tokens));
        }

        /// <summary>
        /// The text that starts an Anthropic system prompt — the request's <c>System</c>, a system message's <c>Content</c>: the
        /// string given to it, or the first text block of its list (<c>new TextBlockParam(text)</c> or <c>{ Text = text }</c>);
        /// null for anything else.
        /// </summary>
        private static IOperation? AnthropicSystemText(IObjectCreationOperation creation, string property)
        {
            var value = creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                .FirstOrDefault(a => a.Target is IPropertyReferenceOperation p && p.Property.Name == property)?.Value;
            return value is null ? null : First(value);
        }

        private static IOperation? First(IOperation value)
        {
            value = SystemMessages.Unwrap(value);
            if (value.Type?.SpecialType == SpecialType.System_String) return value;
            var first = value.DescendantsAndSelf().OfType<IObjectCreationOperation>().FirstOrDefault(c => c.Type?.Name is "TextBlockParam" or "BetaTextBlockParam");
            if (first is null) return null;
            if (first.Arguments.Length >= 1 && first.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String) return first.Arguments[0].Value;
            return first.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Text" })?.Value;
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
                // A const string interpolated without alignment or format ({Policy}) is static text like a literal part.
                var constant = part switch
                {
                    IInterpolatedStringTextOperation t => t.Text.ConstantValue.Value as string,
                    IInterpolationOperation { Alignment: null, FormatString: null, Expression.ConstantValue: { HasValue: true, Value: string s } } => s,
                    _ => part.ConstantValue.Value as string,
                };
                var isConstant = part is IInterpolatedStringTextOperation || part.ConstantValue.HasValue
                                 || part is IInterpolationOperation { Alignment: null, FormatString: null, Expression.ConstantValue: { HasValue: true, Value: string } };
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
