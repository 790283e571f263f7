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
using PromptOps.Analyzers.Compression;
using PromptOps.Analyzers.Rules;

namespace PromptOps.CodeFixes
{
    /// <summary>
    /// PO0001 fix: "Compress prompt (212 → 96 tokens)". Rewrites the string literal — or the literal that initialises the
    /// const the prompt comes from — with <see cref="PromptCompressor"/>'s output, in the same kind of literal
    /// (<see cref="LiteralRewriter"/>): regular stays regular, verbatim stays verbatim with its line breaks, raw stays raw
    /// with its indentation, so a multi-line prompt stays one source line per prompt line. An interpolated string
    /// (<c>$"…"</c>, <c>$@"…"</c>) has only its literal parts compressed, its holes kept exactly as written and in order
    /// (<see cref="InterpolationRewriter"/>); not offered for raw interpolated strings, for concatenations (no single
    /// literal to rewrite), nor when the compressed text cannot be written in the literal's kind.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CompressPromptCodeFix)), Shared]
    public sealed class CompressPromptCodeFix : CodeFixProvider
    {
        /// <summary>The equivalence key (Fix All groups by it).</summary>
        public const string EquivalenceKey = "PO0001.CompressPrompt";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0001");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (!diagnostic.Properties.TryGetValue(VerboseSystemPromptAnalyzer.RewritableKey, out var rewritable) || rewritable != "true") continue;
                var before = diagnostic.Properties[VerboseSystemPromptAnalyzer.TokensKey];
                var after = diagnostic.Properties[VerboseSystemPromptAnalyzer.CompressedTokensKey];
                if (before == after) continue;
                var edit = await FindEditAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (edit is null) continue; // the compressed text cannot be written in the literal's kind: no fix rather than another kind
                context.RegisterCodeFix(
                    CodeAction.Create($"Compress prompt ({before} → {after} tokens)", ct => FixAsync(context.Document, diagnostic, ct), EquivalenceKey),
                    diagnostic);
            }
        }

        private static async Task<Solution> FixAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var solution = document.Project.Solution;
            var edit = await FindEditAsync(document, diagnostic, ct).ConfigureAwait(false);
            if (edit is not { } e) return solution;
            var targetRoot = await e.Target.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (targetRoot is null) return solution;
            return solution.WithDocumentSyntaxRoot(e.Target.Id, targetRoot.ReplaceNode(e.Literal, e.Replacement));
        }

        /// <summary>The literal to rewrite (here or in the const's document) and its replacement; null when there is none.</summary>
        private static async Task<(Document Target, ExpressionSyntax Literal, ExpressionSyntax Replacement)?> FindEditAsync(
            Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var solution = document.Project.Solution;
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root is null || model is null) return null;
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is ArgumentSyntax argument) node = argument.Expression;
            if (node is AttributeArgumentSyntax attributeArgument) node = attributeArgument.Expression;

            if (node is InterpolatedStringExpressionSyntax interpolated)
            {
                var rewritten = InterpolationRewriter.Compress(interpolated, PromptCompressor.Compress);
                return rewritten is null ? null : (document, (ExpressionSyntax)interpolated, (ExpressionSyntax)rewritten);
            }

            LiteralExpressionSyntax? literal = node as LiteralExpressionSyntax;
            var target = document;
            if (literal is null && model.GetSymbolInfo(node, ct).Symbol is IFieldSymbol { IsConst: true } field)
            {
                var declarator = field.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<VariableDeclaratorSyntax>().FirstOrDefault();
                literal = declarator?.Initializer?.Value as LiteralExpressionSyntax;
                if (literal is not null) target = solution.GetDocument(literal.SyntaxTree) ?? document;
            }

            if (literal is null || !literal.IsKind(SyntaxKind.StringLiteralExpression)) return null;
            var value = literal.Token.ValueText;
            var compressed = PromptCompressor.Compress(value);
            if (compressed == value) return null;
            var replacement = LiteralRewriter.Rewrite(literal, compressed);
            return replacement is null ? null : (target, (ExpressionSyntax)literal, (ExpressionSyntax)replacement);
        }
    }
}
