using System.Threading;
using Microsoft.CodeAnalysis;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// Finds the <c>[Prompt]</c> declaration behind a method symbol handed to a symbol action. Shared by the PO1xxx
    /// analyzer and the cost analyzers, so that each analyses a partial method exactly once, at the user's part.
    /// </summary>
    internal static class PromptMethods
    {
        /// <summary>
        /// The user's declaration (the definition part of a partial method) and its [Prompt] attribute; null when the
        /// method has no [Prompt] or when <paramref name="method"/> is an implementation part.
        /// </summary>
        public static (IMethodSymbol Method, AttributeData Attribute)? Find(IMethodSymbol method, INamedTypeSymbol promptAttribute, CancellationToken cancellationToken)
        {
            // Measured (Roslyn 5.x, GeneratedCodeAnalysisFlags.None): a symbol action gets a [Prompt] method once, as its
            // definition part, when the implementation part is generated; with GeneratedCodeAnalysisFlags.Analyze, or when
            // the user wrote the implementation, it gets both parts. Only the definition is analysed: once, at the user's code.
            if (method.PartialDefinitionPart is not null) return null;
            if (!AttributeSyntaxFilter.MayHaveAttributes(method, cancellationToken)) return null; // no attribute list: no [Prompt], nothing bound
            foreach (var attribute in method.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, promptAttribute)) return (method, attribute);
            }

            return null;
        }
    }
}
