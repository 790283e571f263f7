using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace PromptOps.CodeFixes
{
    /// <summary>PO0004 fixes: mark the parameter <c>[CacheScope]</c>, or stop caching the prompt (<c>CacheTtl = "none"</c>).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PersonalDataCodeFix)), Shared]
    public sealed class PersonalDataCodeFix : CodeFixProvider
    {
        /// <summary>Equivalence key of "Add [CacheScope]".</summary>
        public const string AddScopeKey = "PO0004.AddCacheScope";

        /// <summary>Equivalence key of "Do not cache".</summary>
        public const string NoCacheKey = "PO0004.NoCache";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("PO0004");

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
                var method = parameter?.FirstAncestorOrSelf<MethodDeclarationSyntax>();
                if (parameter is null || method is null) continue;

                var scope = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::PromptOps.CacheScope").WithAdditionalAnnotations(Simplifier.Annotation))));
                context.RegisterCodeFix(CodeAction.Create($"Mark '{parameter.Identifier.ValueText}' [CacheScope]",
                    async ct =>
                    {
                        var updated = parameter.WithAttributeLists(parameter.AttributeLists.Add(scope)).WithLeadingTrivia(parameter.GetLeadingTrivia());
                        var newRoot = root.ReplaceNode(parameter, updated.WithAttributeLists(SyntaxFactory.List(updated.AttributeLists.Select(l => l.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.Space)))));
                        return await Simplifier.ReduceAsync(context.Document.WithSyntaxRoot(newRoot), Simplifier.Annotation, cancellationToken: ct).ConfigureAwait(false);
                    }, AddScopeKey), diagnostic);

                var attribute = method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a => a.Name.ToString() is "Prompt" or "PromptAttribute" or "PromptOps.Prompt" or "PromptOps.PromptAttribute");
                if (attribute is null) continue;
                context.RegisterCodeFix(CodeAction.Create("Do not cache this prompt (CacheTtl = \"none\")",
                    _ =>
                    {
                        var none = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal("none"));
                        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
                        var existing = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "CacheTtl");
                        var newList = existing is not null
                            ? list.ReplaceNode(existing, existing.WithExpression(none))
                            : list.AddArguments(SyntaxFactory.AttributeArgument(SyntaxFactory.NameEquals("CacheTtl"), null, none));
                        return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(attribute, attribute.WithArgumentList(newList))));
                    }, NoCacheKey), diagnostic);
            }
        }
    }
}
