using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.CodeFixes
{
    /// <summary>PO0009 fix: set the time-sensitive prompt's <c>CacheTtl</c> to the short TTL, <c>"realtime"</c>.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TimeSensitiveCacheTtlCodeFix)), Shared]
    public sealed class TimeSensitiveCacheTtlCodeFix : CodeFixProvider
    {
        /// <summary>Equivalence key of the fix.</summary>
        public const string Key = "PO0009.Realtime";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0009");

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null) return;
            foreach (var diagnostic in context.Diagnostics)
            {
                var argument = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>();
                if (argument?.NameEquals?.Name.Identifier.ValueText != "CacheTtl") continue;
                context.RegisterCodeFix(CodeAction.Create("Cache this time-sensitive prompt for the short TTL (CacheTtl = \"realtime\")",
                    _ =>
                    {
                        var realtime = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal("realtime"))
                            .WithTriviaFrom(argument.Expression);
                        return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(argument, argument.WithExpression(realtime))));
                    }, Key), diagnostic);
            }
        }
    }
}
