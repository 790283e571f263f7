using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using PromptOps.Analyzers.Rules;

namespace PromptOps.CodeFixes
{
    /// <summary>PO0002 fix: add the output-token limit (the task default, else <c>promptops.default_max_output_tokens</c>).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddOutputLimitCodeFix)), Shared]
    public sealed class AddOutputLimitCodeFix : CodeFixProvider
    {
        /// <summary>The equivalence key (Fix All groups by it).</summary>
        public const string EquivalenceKey = "PO0002.AddOutputLimit";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0002");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(MissingOutputLimitAnalyzer.KindKey, out var kind) || kind == MissingOutputLimitAnalyzer.KindNone) continue;
                var property = diagnostic.Properties[MissingOutputLimitAnalyzer.PropertyKey]!;
                var suggested = diagnostic.Properties[MissingOutputLimitAnalyzer.SuggestedKey]!;
                context.RegisterCodeFix(
                    CodeAction.Create($"Add {property} = {suggested}", ct => FixAsync(context.Document, diagnostic, ct), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Document> FixAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root is null || model is null) return document;
            var kind = diagnostic.Properties[MissingOutputLimitAnalyzer.KindKey];
            var property = diagnostic.Properties[MissingOutputLimitAnalyzer.PropertyKey]!;
            var limit = int.Parse(diagnostic.Properties[MissingOutputLimitAnalyzer.SuggestedKey]!, System.Globalization.CultureInfo.InvariantCulture);
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var assignment = SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(property), SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(limit)));

            if (kind == MissingOutputLimitAnalyzer.KindPrompt)
            {
                var attribute = node.FirstAncestorOrSelf<AttributeSyntax>();
                if (attribute is null) return document;
                var argument = SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals(property), null,
                    SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(limit)));
                var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
                return document.WithSyntaxRoot(root.ReplaceNode(attribute, attribute.WithArgumentList(list.AddArguments(argument))));
            }

            var invocation = node.FirstAncestorOrSelf<InvocationExpressionSyntax>();
            if (invocation is null) return document;
            var optionsType = diagnostic.Properties[MissingOutputLimitAnalyzer.OptionsTypeKey]!;
            var optionsSymbol = model.Compilation.GetTypeByMetadataName(optionsType);
            bool IsOptions(IParameterSymbol? p) => p is not null && SymbolEqualityComparer.Default.Equals(p.Type, optionsSymbol); // ignores nullability
            var newOptions = SyntaxFactory.ObjectCreationExpression(SyntaxFactory.ParseTypeName("global::" + optionsType).WithAdditionalAnnotations(Simplifier.Annotation))
                .WithArgumentList(SyntaxFactory.ArgumentList())
                .WithInitializer(SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(assignment)));

            switch (kind)
            {
                case MissingOutputLimitAnalyzer.KindAddArgument:
                {
                    var operation = model.GetOperation(invocation, ct) as Microsoft.CodeAnalysis.Operations.IInvocationOperation;
                    var parameter = operation?.TargetMethod.Parameters.FirstOrDefault(IsOptions);
                    if (parameter is null) return document;
                    var argument = SyntaxFactory.Argument(SyntaxFactory.NameColon(parameter.Name), default, newOptions);
                    var updated = invocation.WithArgumentList(invocation.ArgumentList.AddArguments(argument));
                    return await Simplify(document.WithSyntaxRoot(root.ReplaceNode(invocation, updated)), ct).ConfigureAwait(false);
                }

                case MissingOutputLimitAnalyzer.KindReplaceArgument:
                {
                    var operation = model.GetOperation(invocation, ct) as Microsoft.CodeAnalysis.Operations.IInvocationOperation;
                    var argument = operation?.Arguments.FirstOrDefault(a => IsOptions(a.Parameter))?.Syntax as ArgumentSyntax;
                    if (argument is null) return document;
                    return await Simplify(document.WithSyntaxRoot(root.ReplaceNode(argument, argument.WithExpression(newOptions))), ct).ConfigureAwait(false);
                }

                case MissingOutputLimitAnalyzer.KindInitializer:
                {
                    var operation = model.GetOperation(invocation, ct) as Microsoft.CodeAnalysis.Operations.IInvocationOperation;
                    var creation = (operation?.Arguments.FirstOrDefault(a => IsOptions(a.Parameter))?.Syntax as ArgumentSyntax)?.Expression as BaseObjectCreationExpressionSyntax;
                    return creation is null ? document : document.WithSyntaxRoot(root.ReplaceNode(creation, AddToInitializer(creation, assignment)));
                }

                case MissingOutputLimitAnalyzer.KindLocal:
                {
                    var operation = model.GetOperation(invocation, ct) as Microsoft.CodeAnalysis.Operations.IInvocationOperation;
                    var local = operation?.Arguments.Select(a => MissingOutputLimitAnalyzer.Unwrap(a.Value)).OfType<Microsoft.CodeAnalysis.Operations.ILocalReferenceOperation>().FirstOrDefault()?.Local;
                    var declarator = local?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) as VariableDeclaratorSyntax;
                    if (declarator?.Initializer?.Value is not BaseObjectCreationExpressionSyntax creation || declarator.SyntaxTree != root.SyntaxTree) return document;
                    return document.WithSyntaxRoot(root.ReplaceNode(creation, AddToInitializer(creation, assignment)));
                }
            }

            return document;
        }

        private static BaseObjectCreationExpressionSyntax AddToInitializer(BaseObjectCreationExpressionSyntax creation, ExpressionSyntax assignment)
        {
            if (creation.Initializer is { } initializer)
            {
                return creation.WithInitializer(initializer.AddExpressions(assignment));
            }

            var withArgs = creation is ObjectCreationExpressionSyntax { ArgumentList: null } o ? o.WithArgumentList(SyntaxFactory.ArgumentList()) : creation;
            return withArgs.WithInitializer(SyntaxFactory.InitializerExpression(SyntaxKind.ObjectInitializerExpression, SyntaxFactory.SingletonSeparatedList(assignment)));
        }

        private static Task<Document> Simplify(Document document, CancellationToken ct) =>
            Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: ct);
    }
}
