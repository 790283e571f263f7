using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
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
    /// initializer and assignments in the same method), and so is a private field or auto-property that is only ever given
    /// a new options object (initializer, constructors); options from anywhere else (a parameter, a factory, a member
    /// assigned elsewhere) are not judged. The protocol overload <c>CompleteChat(BinaryContent)</c> is told to set
    /// <c>max_completion_tokens</c> in its JSON body. The suggested limit comes from the prompt when its messages are
    /// visible (<see cref="OutputLengthHint"/>), else from <c>promptops.default_max_output_tokens</c>.
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
        /// <summary>Diagnostic property: why that limit ("the prompt asks for 10 words"), or null for the configured default.</summary>
        public const string ReasonKey = "reason";

        public const string KindAddArgument = "AddArgument";
        public const string KindReplaceArgument = "ReplaceArgument";
        public const string KindInitializer = "Initializer";
        public const string KindLocal = "Local";
        /// <summary>A private field or auto-property created once (initializer / constructors): the additional locations are its creations.</summary>
        public const string KindField = "Field";
        /// <summary>The OpenAI SDK's params overload: the messages become a collection and the options are added.</summary>
        public const string KindParams = "Params";
        public const string KindPrompt = "Prompt";
        /// <summary>A required limit set far above what the prompt asks for (Anthropic's <c>MaxTokens</c>): the fix writes the suggested value in its place.</summary>
        public const string KindReplaceValue = "ReplaceValue";
        public const string KindNone = "None";
        /// <summary>Diagnostic property: the type the fix creates when it differs from the parameter's (Semantic Kernel's connector settings).</summary>
        public const string CreateTypeKey = "createType";

        private const string SkOpenAISettings = "Microsoft.SemanticKernel.Connectors.OpenAI.OpenAIPromptExecutionSettings";
        private static readonly string[] SkLimitProperties = { "MaxTokens", "MaxOutputTokens", "MaxCompletionTokens", "MaxTokensToSample", "MaxNewTokens" };
        private static readonly string[] SkLimitKeys = { "max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "num_predict" };

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

                if (apis.SkPromptExecutionSettings is not null)
                {
                    var openAiSettings = start.Compilation.GetTypeByMetadataName(SkOpenAISettings);
                    FilteredOperations.RegisterInvocations(start,
                        name => name == "GetChatMessageContentAsync" || name == "GetChatMessageContentsAsync" || name == "GetStreamingChatMessageContentsAsync"
                                || name == "InvokePromptAsync" || name == "InvokePromptStreamingAsync",
                        (invocation, ctx) => AnalyzeSemanticKernel(invocation, ctx, apis, openAiSettings));
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
            var ct = context.CancellationToken;
            var body = Root(invocation);
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, invocation.Syntax.SyntaxTree);
            var hint = OutputLengthHint.FromPrompt(MessageTexts(invocation, optionsType, apis, body));
            var suggested = hint?.Tokens ?? settings.DefaultMaxOutput;
            var reason = hint?.Reason;
            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter is not null && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, optionsType));
            var creations = new List<Location>();
            var advice = optionsType.Name + "." + property;
            string? kind;
            if (argument is null)
            {
                var content = invocation.Arguments.FirstOrDefault(a => apis.BinaryContent is not null && a.Parameter is not null
                                                                       && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, apis.BinaryContent));
                if (content is not null)
                {
                    // The protocol overload: the request is raw JSON, so the limit belongs in the body; no fix.
                    if (!BodyMayBeJudged(content, body)) return;
                    kind = KindNone;
                    advice = "max_completion_tokens in the JSON request body (this overload takes no " + optionsType.Name + ")";
                }
                else
                {
                    kind = HasOptionsOverload(invocation, optionsType) ? KindParams : KindNone;
                }
            }
            else if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                kind = KindAddArgument;
            }
            else
            {
                kind = Judge(Unwrap(argument.Value), optionsType, property, body, apis, context.SemanticModel, creations, ct);
            }

            if (kind is null) return;
            // Anthropic's IChatClient takes a default limit where it is made (AsIChatClient(model, defaultMaxOutputTokens: N)):
            // every call without its own limit gets that one.
            if (SymbolEqualityComparer.Default.Equals(optionsType, apis.ChatOptions) && CallModel.ClientOutputLimit(invocation, context.SemanticModel, ct) is not null) return;
            var location = NameLocation(invocation.Syntax);
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(KindKey, kind)
                .Add(PropertyKey, property)
                .Add(OptionsTypeKey, optionsType.ToDisplayString())
                .Add(SuggestedKey, suggested.ToString(CultureInfo.InvariantCulture))
                .Add(ReasonKey, reason);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MissingOutputLimit, location, creations, properties,
                "This " + method.Name + " call", advice, Suggestion(suggested, reason)));
        }

        /// <summary>
        /// Semantic Kernel: <c>IChatCompletionService.GetChatMessageContent(s)Async</c> / <c>GetStreamingChatMessageContentsAsync</c>
        /// (and their string overloads) and <c>Kernel.InvokePromptAsync</c> / <c>InvokePromptStreamingAsync</c> whose
        /// <c>PromptExecutionSettings</c> carry no max-tokens — no settings, null, or a settings object (written in the call or
        /// in a local) without <c>MaxTokens</c> (OpenAI connector; other connectors' MaxOutputTokens, …) or an
        /// <c>ExtensionData</c> max-tokens key. Settings from anywhere else are not judged. The fix adds
        /// <c>new OpenAIPromptExecutionSettings { MaxTokens = N }</c> or the property to the initializer when the OpenAI connector
        /// is referenced; <c>InvokePromptAsync</c> (settings inside <c>KernelArguments</c>) gets advice only.
        /// </summary>
        private static void AnalyzeSemanticKernel(IInvocationOperation invocation, SyntaxNodeAnalysisContext context, KnownApis apis, INamedTypeSymbol? openAiSettings)
        {
            var method = invocation.TargetMethod;
            var settingsType = apis.SkPromptExecutionSettings!;
            var isInvokePrompt = method.Name.StartsWith("InvokePrompt", System.StringComparison.Ordinal);
            if (isInvokePrompt)
            {
                if (apis.SkKernel is null || !(method.IsExtensionMethod && method.Parameters.Length > 0 && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, apis.SkKernel)
                                               || SymbolEqualityComparer.Default.Equals(method.ContainingType, apis.SkKernel)))
                {
                    return;
                }
            }
            else if (!CallModelIsSk(method, apis))
            {
                return;
            }

            var body = Root(invocation);
            var creations = new List<Location>();
            string? kind;
            if (isInvokePrompt)
            {
                var arguments = invocation.Arguments.FirstOrDefault(a => a.Parameter is not null && apis.SkKernelArguments is not null
                                                                         && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, apis.SkKernelArguments));
                if (arguments is null) return;
                kind = arguments.ArgumentKind == ArgumentKind.DefaultValue ? KindNone : JudgeKernelArguments(Unwrap(arguments.Value), settingsType);
            }
            else
            {
                var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter is not null && SymbolEqualityComparer.Default.Equals(a.Parameter.Type, settingsType));
                if (argument is null) return;
                kind = argument.ArgumentKind == ArgumentKind.DefaultValue
                    ? (openAiSettings is null ? KindNone : KindAddArgument)
                    : JudgeSkSettings(Unwrap(argument.Value), settingsType, openAiSettings, body, apis, creations);
            }

            if (kind is null) return;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, invocation.Syntax.SyntaxTree);
            var prompt = invocation.Arguments.Where(a => a.Parameter is { Type.SpecialType: SpecialType.System_String } p && (p.Name == "prompt" || p.Name == "promptTemplate"))
                .Select(a => ConstantText.Of(a.Value));
            var hint = OutputLengthHint.FromPrompt(prompt);
            var suggested = hint?.Tokens ?? settings.DefaultMaxOutput;
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(KindKey, kind)
                .Add(PropertyKey, "MaxTokens")
                .Add(OptionsTypeKey, settingsType.ToDisplayString())
                .Add(CreateTypeKey, openAiSettings?.ToDisplayString())
                .Add(SuggestedKey, suggested.ToString(CultureInfo.InvariantCulture))
                .Add(ReasonKey, hint?.Reason);
            var advice = isInvokePrompt
                ? "KernelArguments' execution settings with a max-tokens (new KernelArguments(new OpenAIPromptExecutionSettings { MaxTokens = N }), or ExtensionData[\"max_tokens\"])"
                : "PromptExecutionSettings with a max-tokens (OpenAIPromptExecutionSettings.MaxTokens, or ExtensionData[\"max_tokens\"])";
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MissingOutputLimit, NameLocation(invocation.Syntax), creations, properties,
                "This " + method.Name + " call", advice, Suggestion(suggested, hint?.Reason)));
        }

        private static bool CallModelIsSk(IMethodSymbol method, KnownApis apis) =>
            CallModel.IsChatCall(method, apis) && (method.Name.StartsWith("GetChatMessageContent", System.StringComparison.Ordinal) || method.Name.StartsWith("GetStreaming", System.StringComparison.Ordinal));

        /// <summary>Semantic Kernel settings: the fix kind when they lack a max-tokens, null when they have one or cannot be judged.</summary>
        private static string? JudgeSkSettings(IOperation value, INamedTypeSymbol settingsType, INamedTypeSymbol? openAiSettings, IOperation body, KnownApis apis, List<Location> creations)
        {
            switch (value)
            {
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                case IDefaultValueOperation:
                    return openAiSettings is null ? KindNone : KindReplaceArgument;
                case IObjectCreationOperation creation when IsSkSettings(creation.Type, settingsType):
                    return SkSetsLimit(creation) ? null : HasMaxTokens(creation.Type) ? KindInitializer : KindNone;
                case ILocalReferenceOperation local:
                {
                    IObjectCreationOperation? found = null;
                    foreach (var op in body.Descendants())
                    {
                        switch (op)
                        {
                            case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local):
                                if (declarator.Initializer?.Value is { } init && Unwrap(init) is IObjectCreationOperation c && IsSkSettings(c.Type, settingsType)) found = c;
                                else return null;
                                break;
                            case IAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local.Local):
                                return null; // reassigned: not followed
                            case IPropertyReferenceOperation { Instance: { } instance } property
                                when Unwrap(instance) is ILocalReferenceOperation owner && SymbolEqualityComparer.Default.Equals(owner.Local, local.Local)
                                     && (property.Property.Name == "ExtensionData" || SkLimitProperties.Contains(property.Property.Name)):
                                return null; // settings.MaxTokens = …, settings.ExtensionData[…] = …
                            case IArgumentOperation argument when Unwrap(argument.Value) is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local.Local):
                                if (argument.Parameter is not { RefKind: RefKind.None } || !(argument.Parent is IInvocationOperation call && CallModelIsSk(call.TargetMethod, apis))) return null;
                                break;
                        }
                    }

                    if (found is null || SkSetsLimit(found)) return null;
                    if (!HasMaxTokens(found.Type)) return KindNone;
                    creations.Add(found.Syntax.GetLocation());
                    return KindLocal;
                }

                default:
                    return null;
            }
        }

        /// <summary><c>InvokePromptAsync</c>'s KernelArguments: null → missing; <c>new KernelArguments(settings)</c> → the settings judged; else not judged.</summary>
        private static string? JudgeKernelArguments(IOperation value, INamedTypeSymbol settingsType)
        {
            switch (value)
            {
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                case IDefaultValueOperation:
                    return KindNone;
                case IObjectCreationOperation creation:
                    if (creation.Initializer is not null && creation.Initializer.Initializers.Any(i => i is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "ExecutionSettings" } }))
                    {
                        return null;
                    }

                    var settings = creation.Arguments.FirstOrDefault(a => a.Parameter is not null && IsSkSettings(a.Parameter.Type, settingsType));
                    if (settings is null) return creation.Arguments.Length == 0 ? KindNone : null; // a dictionary of settings: not judged
                    return Unwrap(settings.Value) is IObjectCreationOperation inner && IsSkSettings(inner.Type, settingsType) && !SkSetsLimit(inner) ? KindNone : null;
                default:
                    return null;
            }
        }

        private static bool IsSkSettings(ITypeSymbol? type, INamedTypeSymbol settingsType)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, settingsType)) return true;
            }

            return false;
        }

        private static bool HasMaxTokens(ITypeSymbol? type)
        {
            for (var t = type; t is not null; t = t.BaseType)
            {
                if (t.GetMembers("MaxTokens").OfType<IPropertySymbol>().Any(p => p.SetMethod is not null)) return true;
            }

            return false;
        }

        /// <summary>A limit property in the initializer, or ExtensionData given in it (a max-tokens key, or anything it cannot read).</summary>
        private static bool SkSetsLimit(IObjectCreationOperation creation) =>
            creation.Initializer is { } initializer && initializer.Initializers.Any(i =>
                i is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation p } assignment
                && (SkLimitProperties.Contains(p.Property.Name)
                    || (p.Property.Name == "ExtensionData" && !(Unwrap(assignment.Value) is IObjectCreationOperation { Initializer: { } data }
                                                                && !data.Initializers.Any(e => e.Descendants().Any(d => d.ConstantValue.Value is string key && SkLimitKeys.Contains(key)))))));

        private static string Suggestion(int suggested, string? reason) =>
            reason is null ? suggested.ToString(CultureInfo.InvariantCulture) : suggested.ToString(CultureInfo.InvariantCulture) + ", because " + reason;

        /// <summary>Returns the fix kind when the value lacks the limit, or null when it has one or cannot be judged.</summary>
        private static string? Judge(IOperation value, INamedTypeSymbol optionsType, string property, IOperation body, KnownApis apis,
            SemanticModel model, List<Location> creations, CancellationToken ct)
        {
            switch (value)
            {
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: null } }:
                case IDefaultValueOperation:
                    return KindReplaceArgument;
                case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, optionsType):
                    return SetsLimit(creation, property) ? null : KindInitializer;
                case ILocalReferenceOperation local:
                    return JudgeLocal(local.Local, optionsType, property, body, apis, creations);
                case IFieldReferenceOperation { Field: var field } when field.DeclaredAccessibility == Accessibility.Private && IsThisOrStatic(((IMemberReferenceOperation)value).Instance):
                    return JudgeMember(field, optionsType, property, apis, model, creations, ct);
                case IPropertyReferenceOperation { Property: var p } when p.DeclaredAccessibility == Accessibility.Private && p.Parameters.IsEmpty && IsAutoProperty(p, ct)
                                                                            && IsThisOrStatic(((IMemberReferenceOperation)value).Instance):
                    return JudgeMember(p, optionsType, property, apis, model, creations, ct);
                default:
                    return null; // a parameter, a non-private member, a call: the analyzer cannot see the value
            }
        }

        private static string? JudgeLocal(ILocalSymbol local, INamedTypeSymbol optionsType, string property, IOperation body, KnownApis apis, List<Location> creations)
        {
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
                    case IArgumentOperation argument when Unwrap(argument.Value) is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local):
                        // By ref, or handed to a method other than a chat call (which may set the limit): not judged.
                        if (argument.Parameter is not { RefKind: RefKind.None } || !(argument.Parent is IInvocationOperation call && IsChatCall(call.TargetMethod, apis))) return null;
                        break;
                }
            }

            if (creation is null || SetsLimit(creation, property)) return null;
            creations.Add(creation.Syntax.GetLocation());
            return KindLocal;
        }

        /// <summary>
        /// A private field or auto-property of the same type, followed when every value it gets is a new options object — its
        /// initializer, assignments in constructors — and nothing else sees it but chat calls. Quiet when a creation sets the
        /// limit or <c>field.MaxOutputTokens</c> is assigned (or read) anywhere in the type; not judged when it is assigned
        /// outside a constructor, handed to another method, aliased, or declared in more than one file.
        /// </summary>
        private static string? JudgeMember(ISymbol member, INamedTypeSymbol optionsType, string property, KnownApis apis, SemanticModel model,
            List<Location> creations, CancellationToken ct)
        {
            var type = member.ContainingType;
            var found = new List<IObjectCreationOperation>();
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != model.SyntaxTree) return null; // a partial type in several files: not followed
                foreach (var node in reference.GetSyntax(ct).DescendantNodes())
                {
                    switch (node)
                    {
                        case VariableDeclaratorSyntax { Initializer.Value: { } fieldValue } declarator
                            when declarator.Identifier.ValueText == member.Name && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator, ct), member):
                            if (!AddCreation(model.GetOperation(fieldValue, ct), optionsType, found)) return null;
                            break;
                        case PropertyDeclarationSyntax { Initializer.Value: { } propertyValue } declaration
                            when declaration.Identifier.ValueText == member.Name && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declaration, ct), member):
                            if (!AddCreation(model.GetOperation(propertyValue, ct), optionsType, found)) return null;
                            break;
                        case IdentifierNameSyntax name when name.Identifier.ValueText == member.Name:
                        {
                            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, ct).Symbol?.OriginalDefinition, member)) break;
                            var expression = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? (SyntaxNode)access : name;
                            if (model.GetOperation(expression, ct) is not { } use || !Follow(use, optionsType, property, type, apis, model, found)) return null;
                            break;
                        }
                    }
                }
            }

            if (found.Count == 0 || found.Any(c => SetsLimit(c, property))) return null;
            creations.AddRange(found.Select(c => c.Syntax.GetLocation()));
            return KindField;
        }

        private static bool AddCreation(IOperation? value, INamedTypeSymbol optionsType, List<IObjectCreationOperation> found)
        {
            if (value is null || Unwrap(value) is not IObjectCreationOperation created || !SymbolEqualityComparer.Default.Equals(created.Type, optionsType)) return false;
            found.Add(created);
            return true;
        }

        /// <summary>False when this use of the member makes its value unknowable (or shows the limit is handled).</summary>
        private static bool Follow(IOperation use, INamedTypeSymbol optionsType, string property, INamedTypeSymbol type, KnownApis apis, SemanticModel model,
            List<IObjectCreationOperation> found)
        {
            var self = use;
            while (self.Parent is IConversionOperation conversion) self = conversion;
            switch (self.Parent)
            {
                case ISimpleAssignmentOperation assignment when assignment.Target == self:
                    if (model.GetEnclosingSymbol(use.Syntax.SpanStart) is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } ctor
                        && SymbolEqualityComparer.Default.Equals(ctor.ContainingType, type)
                        && Unwrap(assignment.Value) is IObjectCreationOperation created && SymbolEqualityComparer.Default.Equals(created.Type, optionsType))
                    {
                        found.Add(created);
                        return true;
                    }

                    return false;
                case IPropertyReferenceOperation member when member.Instance == self:
                    return member.Property.Name != property; // field.MaxOutputTokens = … (or read): the type handles the limit
                case IInvocationOperation call when call.Instance == self:
                    return true; // a method of the options (e.g. Clone) does not change its limit
                case IArgumentOperation argument:
                    return argument.Parameter is { RefKind: RefKind.None } && argument.Parent is IInvocationOperation chat && IsChatCall(chat.TargetMethod, apis);
                default:
                    return false; // aliased, returned, compared, …: not followed
            }
        }

        private static bool IsThisOrStatic(IOperation? instance) => instance is null or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

        private static bool IsAutoProperty(IPropertySymbol property, CancellationToken ct) =>
            property.DeclaringSyntaxReferences.Length == 1
            && property.DeclaringSyntaxReferences[0].GetSyntax(ct) is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
            && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null);

        private static bool IsChatCall(IMethodSymbol method, KnownApis apis) =>
            ((method.Name == "GetResponseAsync" || method.Name == "GetStreamingResponseAsync") && IsChatClientMethod(method, apis))
            || (method.Name.StartsWith("CompleteChat", System.StringComparison.Ordinal) && apis.OpenAIChatClient is not null && InheritsFrom(method.ContainingType, apis.OpenAIChatClient));

        /// <summary>
        /// The OpenAI SDK's <c>CompleteChat(params ChatMessage[])</c> has a sibling <c>CompleteChat(IEnumerable&lt;ChatMessage&gt;,
        /// ChatCompletionOptions, CancellationToken)</c>: the fix moves the messages into a collection and adds the options.
        /// </summary>
        private static bool HasOptionsOverload(IInvocationOperation invocation, INamedTypeSymbol optionsType)
        {
            var method = invocation.TargetMethod;
            var paramsParameter = method.Parameters.LastOrDefault();
            if (paramsParameter is not { IsParams: true, Type: IArrayTypeSymbol array }) return false;
            if (!invocation.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(a.Parameter, paramsParameter) && a.ArgumentKind != ArgumentKind.DefaultValue
                                               && !(a.ArgumentKind == ArgumentKind.ParamArray && a.Value is IArrayCreationOperation { Initializer.ElementValues.IsEmpty: true })))
            {
                return false; // no messages at all
            }

            return method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(m =>
                !m.IsStatic && m.Parameters.Length >= 2
                && m.Parameters[0].Type is INamedTypeSymbol { Name: "IEnumerable", IsGenericType: true } enumerable
                && enumerable.ContainingNamespace.ToDisplayString() == "System.Collections.Generic"
                && SymbolEqualityComparer.Default.Equals(enumerable.TypeArguments[0], array.ElementType)
                && SymbolEqualityComparer.Default.Equals(m.Parameters[1].Type, optionsType)
                && m.Parameters.Skip(2).All(p => p.IsOptional));
        }

        /// <summary>
        /// A protocol call's body is judged when it is built in the method (not a parameter or member) and nothing in the
        /// method names max_completion_tokens / max_tokens (a JSON string, an anonymous object's property, a dictionary key).
        /// </summary>
        private static bool BodyMayBeJudged(IArgumentOperation content, IOperation body)
        {
            if (Unwrap(content.Value) is IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation) return false;
            foreach (var op in body.DescendantsAndSelf())
            {
                if (op.ConstantValue is { HasValue: true, Value: string text } && NamesLimit(text)) return false;
                if (op is IAnonymousObjectCreationOperation anonymous
                    && anonymous.Initializers.OfType<ISimpleAssignmentOperation>().Any(a => a.Target is IPropertyReferenceOperation p && NamesLimit(p.Property.Name)))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool NamesLimit(string text) =>
            text.IndexOf("max_completion_tokens", System.StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("max_tokens", System.StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>
        /// The constant text of the call's system and user messages that the analyzer can see: a string argument, message
        /// creations in the argument (a collection, an array, params), and for a local, its initializer and what is added to it
        /// in the same method.
        /// </summary>
        private static IEnumerable<string?> MessageTexts(IInvocationOperation invocation, INamedTypeSymbol optionsType, KnownApis apis, IOperation body)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null) continue;
                if (SymbolEqualityComparer.Default.Equals(argument.Parameter.Type, optionsType)) continue;
                var value = Unwrap(argument.Value);
                if (value.Type?.SpecialType == SpecialType.System_String)
                {
                    // GetResponseAsync("…"): the user message, written here or in a local's initializer (not reassigned).
                    yield return value is ILocalReferenceOperation text ? ConstantText.Of(InitializerOf(text.Local, body)) : ConstantText.Of(value);
                    continue;
                }

                if (value is ILocalReferenceOperation local)
                {
                    foreach (var op in body.Descendants())
                    {
                        if (op is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local) && declarator.Initializer is { } init)
                        {
                            foreach (var text in MessageTextsIn(init.Value, apis)) yield return text;
                        }
                        else if (op is IInvocationOperation { Instance: { } instance } add && (add.TargetMethod.Name == "Add" || add.TargetMethod.Name == "AddRange")
                                 && Unwrap(instance) is ILocalReferenceOperation target && SymbolEqualityComparer.Default.Equals(target.Local, local.Local))
                        {
                            foreach (var a in add.Arguments)
                            {
                                foreach (var text in MessageTextsIn(a.Value, apis)) yield return text;
                            }
                        }
                    }

                    continue;
                }

                foreach (var text in MessageTextsIn(value, apis)) yield return text;
            }
        }

        /// <summary>The initializer of a local that is never assigned again in the method; null otherwise.</summary>
        private static IOperation? InitializerOf(ILocalSymbol local, IOperation body)
        {
            IOperation? initializer = null;
            foreach (var op in body.Descendants())
            {
                if (op is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)) initializer = declarator.Initializer?.Value;
                else if (op is IAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, local)) return null;
            }

            return initializer;
        }

        private static IEnumerable<string?> MessageTextsIn(IOperation operation, KnownApis apis)
        {
            foreach (var op in operation.DescendantsAndSelf())
            {
                switch (op)
                {
                    case IObjectCreationOperation creation:
                        if (SystemMessages.TextOf(creation, apis) is { } system)
                        {
                            yield return ConstantText.Of(system);
                        }
                        else if (UserOrDeveloperText(creation, apis) is { } user)
                        {
                            yield return ConstantText.Of(user);
                        }

                        break;
                    case IInvocationOperation call when apis.OpenAIChatMessage is not null
                                                        && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, apis.OpenAIChatMessage)
                                                        && (call.TargetMethod.Name == "CreateSystemMessage" || call.TargetMethod.Name == "CreateUserMessage" || call.TargetMethod.Name == "CreateDeveloperMessage")
                                                        && call.Arguments.Length >= 1 && call.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String:
                        yield return ConstantText.Of(call.Arguments[0].Value);
                        break;
                    case IConversionOperation { Operand.Type.SpecialType: SpecialType.System_String } conversion when apis.OpenAIChatMessage is not null
                                                                                                                  && SymbolEqualityComparer.Default.Equals(conversion.Type, apis.OpenAIChatMessage):
                        yield return ConstantText.Of(conversion.Operand); // CompleteChat("…"): the SDK's implicit string → user message
                        break;
                }
            }
        }

        /// <summary><c>new ChatMessage(ChatRole.User, text)</c>, <c>new UserChatMessage(text)</c>, <c>new DeveloperChatMessage(text)</c>.</summary>
        private static IOperation? UserOrDeveloperText(IObjectCreationOperation creation, KnownApis apis) =>
            SystemMessages.TextOf(creation, apis, "User", apis.OpenAIUserMessage, apis.OpenAIDeveloperMessage);

        private static IOperation Root(IOperation operation)
        {
            while (operation.Parent is not null) operation = operation.Parent;
            return operation;
        }

        private static bool SetsLimit(IObjectCreationOperation creation, string property) =>
            creation.Initializer is { } initializer && initializer.Initializers.OfType<ISimpleAssignmentOperation>()
                .Any(a => a.Target is IPropertyReferenceOperation p && p.Property.Name == property);

        private static void AnalyzePromptMethod(SymbolAnalysisContext context, INamedTypeSymbol promptAttribute)
        {
            var prompt = PromptDeclaration.TryCreate((IMethodSymbol)context.Symbol, promptAttribute, context.CancellationToken);
            if (prompt is null || prompt.Spec.Task is not null || prompt.Spec.MaxTokensSetting > 0) return;

            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, prompt.Syntax.SyntaxTree);
            var hint = OutputLengthHint.FromPrompt(new[] { prompt.Spec.SystemTemplate, prompt.Spec.UserTemplate });
            var suggested = hint?.Tokens ?? settings.DefaultMaxOutput;
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(KindKey, KindPrompt)
                .Add(PropertyKey, "MaxTokens")
                .Add(SuggestedKey, suggested.ToString(CultureInfo.InvariantCulture))
                .Add(ReasonKey, hint?.Reason);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.MissingOutputLimit, prompt.Syntax.GetLocation(), properties,
                "[Prompt] method '" + prompt.Method.Name + "' (no Task)", "MaxTokens", Suggestion(suggested, hint?.Reason)));
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
