using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// Object-creation and invocation callbacks behind a cheap syntactic name check. An operation action makes Roslyn
    /// build the IOperation tree of every method body in the project — on a project without a single prompt that was most
    /// of these analyzers' cost (benchmarks/README.md §4). Here a syntax node action looks at the written name first
    /// (<c>new ChatMessage(…)</c>, <c>.GetResponseAsync(…)</c>) and asks the semantic model for the operation of that node
    /// only; binding a node costs the binding of its whole member, which the compiler's own binding does not share. The
    /// semantic checks that follow are unchanged. A name check only skips nodes whose written type cannot be one of the
    /// APIs: a target-typed <c>new(…)</c> is judged by the type it is assigned to when the declaration spells it
    /// (<c>Dictionary&lt;string, int&gt; d = new(comparer)</c>) and passes otherwise, and a using alias of an API type
    /// (<c>using Msg = Microsoft.Extensions.AI.ChatMessage;</c>, in any file) makes its alias name pass too.
    /// </summary>
    internal static class FilteredOperations
    {
        /// <summary>
        /// Calls <paramref name="action"/> for <c>new T(…)</c> where T's written name passes <paramref name="typeName"/>, and for
        /// every target-typed <c>new(…)</c>, when the creation's shape (arguments, initializer) passes <paramref name="shape"/>.
        /// </summary>
        public static void RegisterObjectCreations(CompilationStartAnalysisContext start, Func<string, bool> typeName,
            Func<BaseObjectCreationExpressionSyntax, bool> shape, Action<IObjectCreationOperation, SyntaxNodeAnalysisContext> action)
        {
            var compilation = start.Compilation;
            start.RegisterSyntaxNodeAction(ctx =>
            {
                var type = ctx.Node is ObjectCreationExpressionSyntax creation ? creation.Type : DeclaredTargetType((ImplicitObjectCreationExpressionSyntax)ctx.Node);
                if (type is not null && !Passes(RightmostName(type), typeName, compilation)) return;
                if (!shape((BaseObjectCreationExpressionSyntax)ctx.Node)) return;
                if (Find<IObjectCreationOperation>(ctx) is { } operation) action(operation, ctx);
            }, SyntaxKind.ObjectCreationExpression, SyntaxKind.ImplicitObjectCreationExpression);
        }

        /// <summary>The written name passes, or it is a using alias whose target's name passes.</summary>
        private static bool Passes(string name, Func<string, bool> typeName, Compilation compilation) =>
            typeName(name) || (AliasesOf(compilation).TryGetValue(name, out var targets) && targets.Exists(t => typeName(t)));

        /// <summary>
        /// The type a target-typed <c>new(…)</c> gets when its declaration spells it: a field, local or property
        /// initializer (<c>List&lt;ChatMessage&gt; l = new()</c>). Null when only binding can tell (an argument, a return, an
        /// assignment, a collection element).
        /// </summary>
        private static TypeSyntax? DeclaredTargetType(ImplicitObjectCreationExpressionSyntax creation) => creation.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type: { IsVar: false } type } } } => type,
            EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Type,
            _ => null,
        };

        private static readonly ConditionalWeakTable<Compilation, Dictionary<string, List<string>>> Aliases = new ConditionalWeakTable<Compilation, Dictionary<string, List<string>>>();

        /// <summary>
        /// Every using alias of a type in the compilation (<c>Msg</c> → <c>ChatMessage</c>), from every file: a global alias
        /// applies everywhere, and treating a file's alias as visible in others only lets more nodes through. Computed
        /// once per compilation, the first time a creation's name does not pass.
        /// </summary>
        private static Dictionary<string, List<string>> AliasesOf(Compilation compilation) => Aliases.GetValue(compilation, c =>
        {
            var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var tree in c.SyntaxTrees)
            {
                if (tree.GetRoot() is CompilationUnitSyntax unit) Collect(unit.Usings, unit.Members, aliases);
            }

            return aliases;
        });

        private static void Collect(SyntaxList<UsingDirectiveSyntax> usings, SyntaxList<MemberDeclarationSyntax> members, Dictionary<string, List<string>> aliases)
        {
            foreach (var directive in usings)
            {
                if (directive.Alias is null || directive.NamespaceOrType is null) continue;
                var alias = directive.Alias.Name.Identifier.ValueText;
                if (!aliases.TryGetValue(alias, out var targets)) aliases.Add(alias, targets = new List<string>());
                targets.Add(RightmostName(directive.NamespaceOrType));
            }

            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax ns) Collect(ns.Usings, ns.Members, aliases);
            }
        }

        /// <summary>Calls <paramref name="action"/> for invocations whose written method name passes <paramref name="methodName"/>.</summary>
        public static void RegisterInvocations(CompilationStartAnalysisContext start, Func<string, bool> methodName,
            Action<IInvocationOperation, SyntaxNodeAnalysisContext> action) =>
            start.RegisterSyntaxNodeAction(ctx =>
            {
                var invocation = (InvocationExpressionSyntax)ctx.Node;
                var name = invocation.Expression switch
                {
                    MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                    MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText, // a?.GetResponseAsync(…)
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    _ => null,
                };
                if (name is null || !methodName(name)) return;
                if (Find<IInvocationOperation>(ctx) is { } operation) action(operation, ctx);
            }, SyntaxKind.InvocationExpression);

        /// <summary>
        /// The operation of the node, conversions unwrapped. A target-typed <c>new(…)</c> that is an element of a collection
        /// expression has no operation of its own; it is found in the nearest enclosing node's operation tree.
        /// </summary>
        private static T? Find<T>(SyntaxNodeAnalysisContext ctx)
            where T : class, IOperation
        {
            var operation = ctx.SemanticModel.GetOperation(ctx.Node, ctx.CancellationToken);
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            if (operation is not null) return operation as T;

            // An element of a collection expression has no operation of its own: find it in the nearest enclosing one.
            for (var parent = ctx.Node.Parent; parent is not null; parent = parent.Parent)
            {
                if (ctx.SemanticModel.GetOperation(parent, ctx.CancellationToken) is not { } enclosing) continue;
                foreach (var descendant in enclosing.DescendantsAndSelf())
                {
                    if (descendant is T match && descendant.Syntax == ctx.Node) return match;
                }

                return null;
            }

            return null;
        }

        /// <summary>Names of the system-message types (Microsoft.Extensions.AI's and the OpenAI SDK's).</summary>
        public static bool IsSystemMessageTypeName(string name) => name == "ChatMessage" || name == "SystemChatMessage";

        /// <summary>A system message is created with its text as an argument: <c>new(ChatRole.System, text)</c>, <c>new SystemChatMessage(text)</c>.</summary>
        public static bool HasArguments(BaseObjectCreationExpressionSyntax creation) => creation.ArgumentList is { Arguments.Count: > 0 };

        /// <summary>The creation's initializer assigns <paramref name="property"/> (<c>new ChatOptions { ModelId = … }</c>).</summary>
        public static bool Assigns(BaseObjectCreationExpressionSyntax creation, string property)
        {
            if (creation.Initializer is null) return false;
            foreach (var expression in creation.Initializer.Expressions)
            {
                if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax name } && name.Identifier.ValueText == property) return true;
            }

            return false;
        }

        private static string RightmostName(TypeSyntax type)
        {
            while (true)
            {
                switch (type)
                {
                    case QualifiedNameSyntax qualified:
                        type = qualified.Right;
                        continue;
                    case AliasQualifiedNameSyntax alias:
                        type = alias.Name;
                        continue;
                    case SimpleNameSyntax simple:
                        return simple.Identifier.ValueText;
                    case NullableTypeSyntax nullable:
                        type = nullable.ElementType;
                        continue;
                    default:
                        return string.Empty;
                }
            }
        }
    }
}
