using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Analyzers.Rules;

namespace PromptOps.CodeFixes
{
    /// <summary>
    /// PO0011 fix: adds <c>.UseConversationBudget(N)</c> right after the expression that creates the client's
    /// <c>ChatClientBuilder</c> (the diagnostic's additional location: <c>AsBuilder()</c>, <c>new ChatClientBuilder(…)</c>,
    /// <c>AddChatClient(…)</c> in the same document), so the layer is the pipeline's first, and <c>using PromptOps;</c> when the
    /// file lacks it. N is the diagnostic's budget (<c>promptops.conversation_max_input_tokens</c>). No builder in the
    /// document: no fix.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseConversationBudgetCodeFix)), Shared]
    public sealed class UseConversationBudgetCodeFix : CodeFixProvider
    {
        /// <summary>Equivalence key of the fix.</summary>
        public const string Key = "PO0011.UseConversationBudget";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0011");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.AdditionalLocations.Count == 0 || diagnostic.AdditionalLocations[0].SourceTree != root.SyntaxTree) continue;
                if (root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax builder) continue;
                var budget = diagnostic.Properties.TryGetValue(GrowingConversationHistoryAnalyzer.BudgetKey, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : GrowingConversationHistoryAnalyzer.DefaultBudget;
                context.RegisterCodeFix(CodeAction.Create(
                    string.Format(CultureInfo.InvariantCulture, "Keep the conversation under {0:N0} input tokens (.UseConversationBudget({0}))", budget),
                    ct => AddAsync(context.Document, root, builder, budget, ct), Key), diagnostic);
            }
        }

        private static Task<Document> AddAsync(Document document, SyntaxNode root, ExpressionSyntax builder, int budget, CancellationToken cancellationToken)
        {
            var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(budget));
            var call = SyntaxFactory.InvocationExpression(
                    SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, builder.WithoutTrivia(), SyntaxFactory.IdentifierName("UseConversationBudget")),
                    SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(literal))))
                .WithTriviaFrom(builder);
            var changed = root.ReplaceNode(builder, call);
            if (changed is CompilationUnitSyntax unit && !HasPromptOpsUsing(unit, builder))
            {
                var directive = SyntaxFactory.ParseCompilationUnit("using PromptOps;").Usings[0]
                    .WithTrailingTrivia(unit.Usings.Count > 0 ? unit.Usings.Last().GetTrailingTrivia() : SyntaxFactory.TriviaList(SyntaxFactory.ElasticCarriageReturnLineFeed));
                changed = unit.AddUsings(directive);
            }

            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(document.WithSyntaxRoot(changed));
        }

        /// <summary>The file imports PromptOps (or the builder is written inside a PromptOps namespace).</summary>
        private static bool HasPromptOpsUsing(CompilationUnitSyntax unit, SyntaxNode builder) =>
            unit.Usings.Any(u => u.Alias is null && u.Name?.ToString() == "PromptOps")
            || unit.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Any(n => n.Usings.Any(u => u.Alias is null && u.Name?.ToString() == "PromptOps"))
            || builder.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Any(n => n.Name.ToString() == "PromptOps" || n.Name.ToString().StartsWith("PromptOps.", System.StringComparison.Ordinal));
    }
}
