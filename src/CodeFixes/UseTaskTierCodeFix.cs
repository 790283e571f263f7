using System.Collections.Immutable;
using System.Composition;
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
    /// PO0003 fix: drop the explicit <c>Tier</c> of a <c>[Prompt]</c> (the task's tier applies), or write the cheap tier's model id
    /// in place of the model (a string, or a member of Anthropic's <c>Model</c> enum).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseTaskTierCodeFix)), Shared]
    public sealed class UseTaskTierCodeFix : CodeFixProvider
    {
        /// <summary>The equivalence key.</summary>
        public const string EquivalenceKey = "PO0003.UseTaskTier";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0003");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                diagnostic.Properties.TryGetValue("kind", out var kind);
                if (kind == "RemoveTier" && node.FirstAncestorOrSelf<AttributeArgumentSyntax>() is { } argument && argument.Parent is AttributeArgumentListSyntax list)
                {
                    context.RegisterCodeFix(CodeAction.Create("Use the task's tier (remove Tier)",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(list, list.WithArguments(list.Arguments.Remove(argument))))), EquivalenceKey), diagnostic);
                }
                else if (kind == "ReplaceModel" && diagnostic.Properties.TryGetValue(ExpensiveModelAnalyzer.ReplacementKey, out var model) && model is not null
                         && node is LiteralExpressionSyntax or MemberAccessExpressionSyntax)
                {
                    // A string literal, or a member of Anthropic's Model enum (Model.ClaudeOpus4_6): its Model property takes a string too.
                    var replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(model)).WithTriviaFrom(node);
                    context.RegisterCodeFix(CodeAction.Create($"Use {model}",
                        _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(node, replacement))), EquivalenceKey), diagnostic);
                }
            }
        }
    }
}
