using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// A syntax-only pre-check for the method symbol actions that look for <c>[Prompt]</c>: a method none of whose
    /// declarations has an attribute list cannot carry the attribute, so it is skipped without
    /// <see cref="ISymbol.GetAttributes"/> (which binds attributes). Shared by the generator's analyzer and the cost
    /// analyzers (linked into both assemblies); they run on every method of every project that references PromptOps.
    /// </summary>
    internal static class AttributeSyntaxFilter
    {
        /// <summary>False only when no declaration of the method (or of its other partial part) has an attribute list.</summary>
        public static bool MayHaveAttributes(IMethodSymbol method, CancellationToken cancellationToken)
        {
            if (HasAttributeLists(method, cancellationToken)) return true;
            var other = method.PartialDefinitionPart ?? method.PartialImplementationPart;
            return other is not null && HasAttributeLists(other, cancellationToken);
        }

        private static bool HasAttributeLists(IMethodSymbol method, CancellationToken cancellationToken)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                switch (reference.GetSyntax(cancellationToken))
                {
                    case BaseMethodDeclarationSyntax declaration:
                        if (declaration.AttributeLists.Count > 0) return true;
                        break;
                    case AccessorDeclarationSyntax accessor:
                        if (accessor.AttributeLists.Count > 0) return true;
                        break;
                    case LocalFunctionStatementSyntax local:
                        if (local.AttributeLists.Count > 0) return true;
                        break;
                    default:
                        return true; // another shape (a record's primary constructor, an expression-bodied getter …): not judged here
                }
            }

            return false;
        }
    }
}
