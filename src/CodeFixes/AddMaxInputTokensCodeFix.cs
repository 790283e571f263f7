using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using PromptOps.Analyzers.Rules;

namespace PromptOps.CodeFixes
{
    /// <summary>PO0006 fix: add <c>[MaxInputTokens(n)]</c> (n from <c>promptops.default_max_input_tokens</c>, default 2000).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMaxInputTokensCodeFix)), Shared]
    public sealed class AddMaxInputTokensCodeFix : CodeFixProvider
    {
        /// <summary>The equivalence key.</summary>
        public const string EquivalenceKey = "PO0006.AddMaxInputTokens";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0006");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var parameter = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<ParameterSyntax>();
                if (parameter is null || !diagnostic.Properties.TryGetValue(PromptCostAnalyzer.LimitKey, out var limitText)) continue;
                var limit = int.Parse(limitText!, CultureInfo.InvariantCulture);
                var attribute = SyntaxFactory.Attribute(
                    SyntaxFactory.ParseName("global::PromptOps.MaxInputTokens").WithAdditionalAnnotations(Simplifier.Annotation),
                    SyntaxFactory.AttributeArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.AttributeArgument(
                        SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(limit))))));
                var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute)).WithTrailingTrivia(SyntaxFactory.Space);
                context.RegisterCodeFix(CodeAction.Create($"Add [MaxInputTokens({limit})]",
                    async ct =>
                    {
                        var updated = parameter.WithoutLeadingTrivia().WithAttributeLists(parameter.AttributeLists.Add(list)).WithLeadingTrivia(parameter.GetLeadingTrivia());
                        var document = context.Document.WithSyntaxRoot(root.ReplaceNode(parameter, updated));
                        return await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: ct).ConfigureAwait(false);
                    }, EquivalenceKey), diagnostic);
            }
        }
    }
}
