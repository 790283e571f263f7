using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0002: a chat call without an output-token limit — <c>IChatClient.GetResponseAsync</c> /
    /// <c>GetStreamingResponseAsync</c> (and the <c>ChatClientExtensions</c> overloads) with no options or options without
    /// <c>MaxOutputTokens</c>, the OpenAI SDK's <c>ChatClient.CompleteChat*</c> without <c>MaxOutputTokenCount</c>, and a
    /// <c>[Prompt]</c> method with neither a task nor <c>MaxTokens</c>. A local options object is followed (its
    /// initializer and assignments in the same method); options from anywhere else (a parameter, a field, a factory)
    /// are not judged.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MissingOutputLimitAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: how the fix adds the limit.</summary>
        public const string KindKey = "kind";
        /// <summary>Diagnostic property: the limit property (MaxOutputTokens, MaxOutputTokenCount, MaxTokens).</summary>
        public const string PropertyKey = "property";
        /// <summary>Diagnostic property: the options type's metadata name.</summary>
        public const string OptionsTypeKey = "optionsType";
        /// <summary>Diagnostic property: the suggested limit.</summary>
        public const string SuggestedKey = "suggested";

        public const string KindAddArgument = "AddArgument";
        public const string KindReplaceArgument = "ReplaceArgument";
        public const string KindInitializer = "Initializer";
        public const string KindLocal = "Local";
        public const string KindPrompt = "Prompt";
        public const string KindNone = "None";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.MissingOutputLimit);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.IsRelevant) return;
                if (apis.ChatOptions is not null || apis.OpenAIChatCompletionOptions is not null)
                {
                    FilteredOperations.RegisterInvocations(start,
                        name => name == "GetResponseAsync" || name == "GetStreamingResponseAsync" || name.StartsWith("CompleteChat", System.StringComparison.Ordinal),
                        (invocation, ctx) => AnalyzeInvocation(invocation, ctx, apis));
                }

                if (apis.PromptAttribute is not null)
                {
                    start.RegisterSymbolAction(ctx => AnalyzePromptMethod(ctx, apis.PromptAttribute), SymbolKind.Method);
                }
            });
        }

        private static void AnalyzeInvocation(IInvocationOperation invocation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            var method = invocation.TargetMethod;
            INamedTypeSymbol? optionsType;
            string property;
            if ((method.Name == "GetResponseAsync" || method.Name == "GetStreamingResponseAsync") && IsChatClientMethod(method, apis))
            {
                optionsType = apis.ChatOptions;
                property = "MaxOutputTokens";
            }
            else if (method.Name.StartsWith("CompleteChat", System.StringComparison.Ordinal) && apis.OpenAIChatClient is not null
                     && InheritsFrom(method.ContainingType, apis.OpenAIChatClient))
            {
                optionsType = apis.OpenAIChatCompletionOptions;
                property = "MaxOutputTokenCount";
            }
            else
            {
                return;
            }

            if (optionsType is null) return;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, invocation.Syntax.SyntaxTree);
            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter is not null && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, optionsType));
            string? kind;
            if (argument is null)
            {
                kind = KindNone; // e.g. CompleteChatAsync(params ChatMessage[]): no options parameter to fill
            }
            else if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                kind = KindAddArgument;
            }
            else
            {
                kind = Judge(Unwrap(argument.Value), optionsType, property, invocation, context.CancellationToken);
            }

            if (kind is null) return;
            var location = NameLocation(invocation.Syntax);
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(KindKey, kind)
                .Add(PropertyKey, property)
                .Add(OptionsTypeKey, optionsType.ToDisplayString())
                .Add(SuggestedKey, settings.DefaultMaxOutput.ToString(CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MissingOutputLimit, location, properties,
                "This " + method.Name + " call", optionsType.Name + "." + property, settings.DefaultMaxOutput));
        }

        /// <summary>Returns the fix kind when the value lacks the limit, or null when it has one or cannot be judged.</summary>
        private static string? Judge(IOperation value, INamedTypeSymbol optionsType, string property, IOperation invocation, System.Threading.CancellationToken ct)
        {
            switch (value)
            {
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                case IDefaultValueOperation:
                    return KindReplaceArgument;
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, optionsType):
                    return SetsLimit(creation, property) ? null : KindInitializer;
                case ILocalReferenceOperation local:
                    return JudgeLocal(local.Local, optionsType, property, invocation, ct);
                default:
                    return null; // a parameter, field, property or call: the analyzer cannot see the value
            }
        }

        private static string? JudgeLocal(ILocalSymbol local, INamedTypeSymbol optionsType, string property, IOperation invocation, System.Threading.CancellationToken ct)
        {
            var body = invocation;
            while (body.Parent is not null) body = body.Parent;

            IObjectCreationOperation? creation = null;
            foreach (var op in body.Descendants())
            {
                switch (op)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        if (declarator.Initializer?.Value is { } init && Unwrap(init) is IObjectCreationOperation c && SymbolEqualityComparer.Default.Equals(c.Type, optionsType))
                        {
                            creation = c;
                        }
                        else
                        {
                            return null; // initialised from somewhere else
                        }

                        break;
                    case ISimpleAssignmentOperation assignment:
                        if (assignment.Target is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local))
                        {
                            return null; // reassigned: not followed
                        }

                        if (assignment.Target is IPropertyReferenceOperation prop && prop.Property.Name == property
                            && Unwrap(prop.Instance!) is ILocalReferenceOperation owner && SymbolEqualityComparer.Default.Equals(owner.Local, local))
                        {
                            return null; // options.MaxOutputTokens = …
                        }

                        break;
                    case IArgumentOperation { Parameter.RefKind: not RefKind.None } byRef when Unwrap(byRef.Value) is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local):
                        return null;
                }
            }

            if (creation is null) return null;
            return SetsLimit(creation, property) ? null : KindLocal;
        }

        private static bool SetsLimit(IObjectCreationOperation creation, string property) =>
            creation.Initializer is { } initializer && initializer.Initializers.OfType<ISimpleAssignmentOperation>()
                .Any(a => a.Target is IPropertyReferenceOperation p && p.Property.Name == property);

        private static void AnalyzePromptMethod(SymbolAnalysisContext context, INamedTypeSymbol promptAttribute)
        {
            var prompt = PromptDeclaration.TryCreate((IMethodSymbol)context.Symbol, promptAttribute, context.CancellationToken);
            if (prompt is null || prompt.Spec.Task is not null || prompt.Spec.MaxTokensSetting > 0) return;

            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, prompt.Syntax.SyntaxTree);
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(KindKey, KindPrompt)
                .Add(PropertyKey, "MaxTokens")
                .Add(SuggestedKey, settings.DefaultMaxOutput.ToString(CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MissingOutputLimit, prompt.Syntax.GetLocation(), properties,
                "[Prompt] method '" + prompt.Method.Name + "' (no Task)", "MaxTokens", settings.DefaultMaxOutput));
        }

        private static bool IsChatClientMethod(IMethodSymbol method, KnownApis apis)
        {
            if (apis.ChatClientExtensions is not null && SymbolEqualityComparer.Default.Equals(method.ContainingType, apis.ChatClientExtensions)) return true;
            if (apis.ChatClient is null) return false;
            return SymbolEqualityComparer.Default.Equals(method.ContainingType, apis.ChatClient)
                   || method.ContainingType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, apis.ChatClient));
        }

        private static bool InheritsFrom(INamedTypeSymbol? type, INamedTypeSymbol baseType)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, baseType)) return true;
            }

            return false;
        }

        internal static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            return operation;
        }

        private static Location NameLocation(SyntaxNode invocation) =>
            invocation is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member }
                ? member.Name.GetLocation()
                : invocation is InvocationExpressionSyntax { Expression: { } expression } ? expression.GetLocation() : invocation.GetLocation();
    }
}
