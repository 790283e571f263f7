using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0011: a conversation history — a collection of Microsoft.Extensions.AI or OpenAI SDK <c>ChatMessage</c>s, or Semantic
    /// Kernel's <c>ChatHistory</c> — that is appended to and passed whole to a chat call (<c>GetResponseAsync</c>,
    /// <c>GetStreamingResponseAsync</c>, <c>CompleteChat*</c>, <c>GetChatMessageContent(s)Async</c>) over and over, with no
    /// reducer in sight: in a loop (the history declared outside it, appended inside it), or in a field or property that a
    /// member appends to and sends on every call. Each turn then pays again for every turn before it.
    /// <para>Not reported: a single call; a history that the loop (or, for a field, the type) trims — <c>Remove*</c>,
    /// <c>Clear</c>, an assignment, or a call whose name says it reduces (<c>Reduce…</c>, <c>Trim…</c>, <c>Truncate…</c>,
    /// <c>Summarize…</c>, <c>Compact…</c>, <c>Prune…</c>) on or with it; a <c>for</c> loop bounded by a constant of at most 10
    /// (retries); a client whose pipeline visibly has a reducer — <c>UseConversationBudget</c>, <c>UseChatReducer</c>,
    /// <c>ConversationBudgetChatClient</c> or <c>ReducingChatClient</c> named in the same member (in the type for a client in a
    /// field or property, in the document for a client that cannot be traced). A client injected from elsewhere cannot be
    /// seen: suppress the diagnostic where its pipeline has a reducer.</para>
    /// <para>The fix (<c>PromptOps.CodeFixes.UseConversationBudgetCodeFix</c>) adds <c>.UseConversationBudget(N)</c> right after
    /// the <c>ChatClientBuilder</c> is created (<c>AsBuilder()</c>, <c>new ChatClientBuilder(…)</c>, <c>AddChatClient(…)</c>)
    /// when the client is built in the same document; the diagnostic's additional location is that expression. N is
    /// <c>promptops.conversation_max_input_tokens</c> (.editorconfig; default 8,000).</para>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GrowingConversationHistoryAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the budget the fix writes.</summary>
        public const string BudgetKey = "budget";

        /// <summary>The .editorconfig key of the fix's budget.</summary>
        public const string BudgetOption = "promptops.conversation_max_input_tokens";

        /// <summary>The fix's budget when the key is not set.</summary>
        public const int DefaultBudget = 8000;

        private const int MaxBoundedRetries = 10;
        private static readonly string[] AppendNames = { "Add", "AddRange", "Insert", "InsertRange", "AddMessages", "AddUserMessage", "AddAssistantMessage", "AddMessage", "AddSystemMessage", "AddDeveloperMessage" };
        private static readonly string[] TrimNames = { "Remove", "RemoveAt", "RemoveRange", "RemoveAll", "Clear" };
        private static readonly string[] ReduceWords = { "Reduce", "Trim", "Truncat", "Summar", "Compact", "Prune", "Shrink" };
        private static readonly string[] ReducerNames = { "UseConversationBudget", "UseChatReducer", "ConversationBudgetChatClient", "ReducingChatClient" };

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.GrowingConversationHistory);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.IsRelevant) return;
                var elements = new[] { apis.ChatMessage, apis.OpenAIChatMessage, start.Compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.ChatMessageContent") }
                    .Where(t => t is not null).Cast<INamedTypeSymbol>().ToImmutableArray();
                if (elements.IsEmpty) return;
                var builder = start.Compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatClientBuilder");
                FilteredOperations.RegisterInvocations(start,
                    name => name == "GetResponseAsync" || name == "GetStreamingResponseAsync" || name.StartsWith("CompleteChat", StringComparison.Ordinal)
                            || name == "GetChatMessageContentAsync" || name == "GetChatMessageContentsAsync" || name == "GetStreamingChatMessageContentsAsync",
                    (invocation, ctx) => Analyze(invocation, ctx, apis, elements, builder));
            });
        }

        private static void Analyze(IInvocationOperation call, SyntaxNodeAnalysisContext context, KnownApis apis, ImmutableArray<INamedTypeSymbol> elements, INamedTypeSymbol? builder)
        {
            if (!CallModel.IsChatCall(call.TargetMethod, apis)) return;
            IOperation? historyArgument = null;
            ISymbol? history = null;
            foreach (var argument in call.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue) continue;
                var value = SystemMessages.Unwrap(argument.Value);
                if (SymbolOf(value) is { } symbol && IsHistory(value.Type, elements))
                {
                    historyArgument = value;
                    history = symbol;
                    break;
                }
            }

            if (history is null || historyArgument is null) return;
            var function = EnclosingFunction(call);
            if (function is null) return;

            string? where = null;
            var loop = GrowingLoop(call, function, history);
            if (loop is not null)
            {
                if (Trims(loop, history) || IsBoundedRetry(loop)) return;
                where = "in this loop";
            }
            else if (history is IFieldSymbol or IPropertySymbol
                     && SymbolEqualityComparer.Default.Equals(history.ContainingType, context.ContainingSymbol?.ContainingType ?? context.ContainingSymbol as INamedTypeSymbol)
                     && !IsConstructor(function) && Appends(function, history) && !TypeTrims(history))
            {
                where = "with every call of '" + MemberName(function, context.ContainingSymbol) + "'";
            }

            if (where is null) return;
            var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
            receiver = receiver is null ? null : SystemMessages.Unwrap(receiver);
            if (MentionsReducer(MemberSyntax(call.Syntax))) return;
            if (receiver is IMemberReferenceOperation { Member.ContainingType: { } owner }
                && owner.DeclaringSyntaxReferences.Any(r => MentionsReducer(r.GetSyntax(context.CancellationToken))))
            {
                return;
            }

            var builderSyntax = builder is null || receiver is null ? null : BuilderOf(receiver, function, builder, context);
            if (builderSyntax is null)
            {
                // A client that cannot be traced to its builder (injected, a parameter): a reducer named anywhere in the document
                // counts, and the document's one builder, if it has exactly one, is where the fix goes.
                if (MentionsReducer(call.Syntax.SyntaxTree.GetRoot(context.CancellationToken))) return;
                builderSyntax = builder is null ? null : UniqueBuilder(context.SemanticModel, builder, context);
            }

            var budget = context.Options.AnalyzerConfigOptionsProvider.GetOptions(call.Syntax.SyntaxTree).TryGetValue(BudgetOption, out var text)
                         && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var configured) && configured > 0
                ? configured
                : DefaultBudget;
            var properties = ImmutableDictionary<string, string?>.Empty.Add(BudgetKey, budget.ToString(CultureInfo.InvariantCulture));
            var additional = builderSyntax is null ? Array.Empty<Location>() : new[] { builderSyntax.GetLocation() };
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.GrowingConversationHistory, historyArgument.Syntax.GetLocation(), additional, properties, history.Name, where));
        }

        private static ISymbol? SymbolOf(IOperation value) => value switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Property,
            _ => null,
        };

        /// <summary>A collection of chat messages (it implements ICollection&lt;T&gt; of a message type), or Semantic Kernel's ChatHistory.</summary>
        private static bool IsHistory(ITypeSymbol? type, ImmutableArray<INamedTypeSymbol> elements)
        {
            if (type is null || type is IArrayTypeSymbol) return false; // an array cannot grow
            var interfaces = type is INamedTypeSymbol { TypeKind: TypeKind.Interface } self ? type.AllInterfaces.Add(self) : type.AllInterfaces;
            foreach (var candidate in interfaces)
            {
                if (candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_ICollection_T
                    && candidate.TypeArguments[0] is INamedTypeSymbol element && elements.Any(e => SymbolEqualityComparer.Default.Equals(e, element)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The method, accessor, lambda or local function that holds the call (loops and appends are looked for inside it only).</summary>
        private static IOperation? EnclosingFunction(IOperation operation)
        {
            var current = operation;
            while (current.Parent is not null)
            {
                if (current.Parent is IAnonymousFunctionOperation || current.Parent is ILocalFunctionOperation) return current.Parent;
                current = current.Parent;
            }

            return current;
        }

        private static bool IsConstructor(IOperation function) => function is IConstructorBodyOperation;

        private static string MemberName(IOperation function, ISymbol? containing) =>
            function is ILocalFunctionOperation local ? local.Symbol.Name : containing is IMethodSymbol { AssociatedSymbol: { } property } ? property.Name : containing?.Name ?? "the member";

        /// <summary>
        /// The innermost loop around the call, inside its function, that the history outlives (declared outside it) and that
        /// appends to it; a <c>foreach</c> over the call's own result (<c>await foreach (var u in client.GetStreamingResponseAsync(h))</c>)
        /// is not a turn loop.
        /// </summary>
        private static ILoopOperation? GrowingLoop(IOperation call, IOperation function, ISymbol history)
        {
            for (var current = call.Parent; current is not null && current != function; current = current.Parent)
            {
                if (current is not ILoopOperation loop) continue;
                if (loop is IForEachLoopOperation forEach && forEach.Collection.Syntax.Span.Contains(call.Syntax.Span)) continue;
                if (history is ILocalSymbol local && local.DeclaringSyntaxReferences.Any(r => loop.Syntax.Span.Contains(r.Span))) return null;
                if (Appends(loop, history)) return loop;
            }

            return null;
        }

        private static bool Refers(IOperation? operation, ISymbol symbol) =>
            operation is not null && SymbolOf(SystemMessages.Unwrap(operation)) is { } found && SymbolEqualityComparer.Default.Equals(found, symbol);

        private static IOperation? Target(IInvocationOperation invocation) =>
            invocation.Instance ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);

        private static bool Appends(IOperation scope, ISymbol history) =>
            scope.Descendants().OfType<IInvocationOperation>().Any(i => Array.IndexOf(AppendNames, i.TargetMethod.Name) >= 0 && Refers(Target(i), history));

        private static bool SaysReduce(string name) => ReduceWords.Any(w => name.IndexOf(w, StringComparison.OrdinalIgnoreCase) >= 0);

        private static bool Trims(IOperation scope, ISymbol history)
        {
            foreach (var operation in scope.Descendants())
            {
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        var name = invocation.TargetMethod.Name;
                        if ((Array.IndexOf(TrimNames, name) >= 0 || SaysReduce(name)) && Refers(Target(invocation), history)) return true;
                        if (SaysReduce(name) && invocation.Arguments.Any(a => Refers(a.Value, history))) return true;
                        break;
                    case IAssignmentOperation assignment when Refers(assignment.Target, history):
                        return true;
                }
            }

            return false;
        }

        /// <summary>A field or property trimmed anywhere in its type (syntax: <c>x.RemoveAt(…)</c>, <c>x = …</c> outside constructors, <c>Reduce(x)</c>).</summary>
        private static bool TypeTrims(ISymbol history)
        {
            var name = history.Name;
            foreach (var reference in history.ContainingType.DeclaringSyntaxReferences)
            {
                foreach (var node in reference.GetSyntax().DescendantNodes())
                {
                    switch (node)
                    {
                        case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } when IsName(member.Expression, name)
                                                                                                                  && (Array.IndexOf(TrimNames, member.Name.Identifier.ValueText) >= 0 || SaysReduce(member.Name.Identifier.ValueText)):
                            return true;
                        case InvocationExpressionSyntax invocation when SaysReduce(InvokedName(invocation)) && invocation.ArgumentList.Arguments.Any(a => IsName(a.Expression, name)):
                            return true;
                        case AssignmentExpressionSyntax assignment when IsName(assignment.Left, name) && assignment.FirstAncestorOrSelf<ConstructorDeclarationSyntax>() is null:
                            return true;
                    }
                }
            }

            return false;
        }

        private static string InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => string.Empty,
        };

        private static bool IsName(ExpressionSyntax expression, string name) => expression switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText == name,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member => member.Name.Identifier.ValueText == name,
            _ => false,
        };

        /// <summary>A <c>for</c> loop whose condition compares with a constant of at most 10: a bounded retry, not a conversation.</summary>
        private static bool IsBoundedRetry(ILoopOperation loop) =>
            loop is IForLoopOperation { Condition: IBinaryOperation condition }
            && (condition.RightOperand.ConstantValue.Value ?? condition.LeftOperand.ConstantValue.Value) is int bound && bound <= MaxBoundedRetries;

        /// <summary>The member declaration (or, for top-level statements, the file) a node is written in.</summary>
        private static SyntaxNode MemberSyntax(SyntaxNode node)
        {
            var member = node.FirstAncestorOrSelf<SyntaxNode>(n => n is BaseMethodDeclarationSyntax || n is BasePropertyDeclarationSyntax || n is GlobalStatementSyntax);
            return member is null || member is GlobalStatementSyntax ? node.SyntaxTree.GetRoot() : member;
        }

        private static bool MentionsReducer(SyntaxNode node) =>
            node.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && Array.IndexOf(ReducerNames, t.ValueText) >= 0);

        /// <summary>
        /// The expression that creates the client's <c>ChatClientBuilder</c>, followed from the receiver: a local's initializer in
        /// the same function, a field's or property's initializer or assignment in the same file.
        /// </summary>
        private static SyntaxNode? BuilderOf(IOperation receiver, IOperation function, INamedTypeSymbol builder, SyntaxNodeAnalysisContext context)
        {
            switch (receiver)
            {
                case ILocalReferenceOperation local:
                    foreach (var declarator in function.Descendants().OfType<IVariableDeclaratorOperation>())
                    {
                        if (SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local) && declarator.Initializer is { } initializer) return Origin(initializer.Value, builder);
                    }

                    return null;
                case IMemberReferenceOperation member:
                    var tree = context.SemanticModel.SyntaxTree;
                    foreach (var reference in member.Member.ContainingType.DeclaringSyntaxReferences.Where(r => r.SyntaxTree == tree))
                    {
                        foreach (var node in reference.GetSyntax(context.CancellationToken).DescendantNodes())
                        {
                            ExpressionSyntax? value = node switch
                            {
                                VariableDeclaratorSyntax { Initializer: { } init } v when v.Identifier.ValueText == member.Member.Name => init.Value,
                                PropertyDeclarationSyntax { Initializer: { } init } p when p.Identifier.ValueText == member.Member.Name => init.Value,
                                AssignmentExpressionSyntax a when IsName(a.Left, member.Member.Name) => a.Right,
                                _ => null,
                            };
                            if (value is not null && context.SemanticModel.GetOperation(value, context.CancellationToken) is { } operation && Origin(operation, builder) is { } found) return found;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }

        /// <summary>In an expression, the call or creation that makes a ChatClientBuilder from something that is not one.</summary>
        private static SyntaxNode? Origin(IOperation expression, INamedTypeSymbol builder)
        {
            foreach (var operation in expression.DescendantsAndSelf())
            {
                if (IsOrigin(operation, builder)) return operation.Syntax;
            }

            return null;
        }

        private static bool IsOrigin(IOperation operation, INamedTypeSymbol builder)
        {
            if (!SymbolEqualityComparer.Default.Equals(operation.Type, builder)) return false;
            return operation switch
            {
                IObjectCreationOperation => true,
                IInvocationOperation invocation => Target(invocation) is not { } target || !SymbolEqualityComparer.Default.Equals(SystemMessages.Unwrap(target).Type, builder),
                _ => false,
            };
        }

        /// <summary>The one ChatClientBuilder created in the document, or null when there is none or more than one.</summary>
        private static SyntaxNode? UniqueBuilder(SemanticModel model, INamedTypeSymbol builder, SyntaxNodeAnalysisContext context)
        {
            SyntaxNode? found = null;
            foreach (var node in model.SyntaxTree.GetRoot(context.CancellationToken).DescendantNodes())
            {
                var candidate = node switch
                {
                    InvocationExpressionSyntax invocation when InvokedName(invocation) is "AsBuilder" or "AddChatClient" or "AddKeyedChatClient" => node,
                    ObjectCreationExpressionSyntax creation when creation.Type.ToString().EndsWith("ChatClientBuilder", StringComparison.Ordinal) => node,
                    _ => null,
                };
                if (candidate is null || model.GetOperation(candidate, context.CancellationToken) is not { } operation || !IsOrigin(operation, builder)) continue;
                if (found is not null) return null;
                found = candidate;
            }

            return found;
        }
    }
}
