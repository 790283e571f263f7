using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Generators.Model;
using PromptOps.Generators.Parsing;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// A <c>[Prompt]</c> method as the cost rules see it: the spec the generator emits from (<see cref="PromptMethodParser"/>,
    /// compiled into this assembly too) plus where to report — the user's declaration, its attribute and arguments.
    /// The rules read values only from <see cref="Spec"/>; there is no second reader of the attribute or the templates.
    /// </summary>
    internal sealed class PromptDeclaration
    {
        /// <summary>
        /// One parse per method and compilation, shared by the four rules that read [Prompt] (each would otherwise parse it
        /// again): symbols belong to one compilation, so the table empties itself with it.
        /// </summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IMethodSymbol, PromptMethodSpec> Specs =
            new System.Runtime.CompilerServices.ConditionalWeakTable<IMethodSymbol, PromptMethodSpec>();

        private PromptDeclaration(IMethodSymbol method, AttributeSyntax syntax, PromptMethodSpec spec)
        {
            Method = method;
            Syntax = syntax;
            Spec = spec;
        }

        /// <summary>The user's declaration (the definition part).</summary>
        public IMethodSymbol Method { get; }

        public AttributeSyntax Syntax { get; }

        public PromptMethodSpec Spec { get; }

        /// <summary>True unless CacheTtl is "none" (no CacheTtl means the runtime's default TTL: cached).</summary>
        public bool IsCached => Spec.CacheTtl != CacheTtl.None.Name;

        /// <summary>The tier set with <c>Tier = …</c>, if any.</summary>
        public ModelTier? ExplicitTier => Spec.TierMember is { } member && Enum.TryParse<ModelTier>(member, out var tier) ? tier : null;

        /// <summary>The tier the prompt runs on: Tier, else the task's tier, else balanced.</summary>
        public ModelTier EffectiveTier => ExplicitTier ?? PromptTasks.GetTier(Spec.Task);

        /// <summary>The placeholder names used in System and User.</summary>
        public HashSet<string> Placeholders
        {
            get
            {
                var set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var part in Spec.System.Concat(Spec.User)) if (part.IsParameter) set.Add(part.Text);
                return set;
            }
        }

        /// <summary>The parameters with their symbols (for locations), in declaration order.</summary>
        public IEnumerable<(ParameterSpec Spec, IParameterSymbol Symbol)> Parameters =>
            Spec.Parameters.Zip(Method.Parameters, (spec, symbol) => (spec, symbol));

        /// <summary>The literal text of a parsed template, placeholders left out: what every call pays for.</summary>
        public static string StaticText(IEnumerable<TemplatePart> parts)
        {
            var sb = new StringBuilder();
            foreach (var part in parts) if (!part.IsParameter) sb.Append(part.Text);
            return sb.ToString();
        }

        /// <summary>The static text before the first placeholder, its name, and the static text after it; null without placeholders.</summary>
        public static (string Before, string Placeholder, string After)? SplitAtFirstPlaceholder(EquatableArray<TemplatePart> parts)
        {
            for (var i = 0; i < parts.Count; i++)
            {
                if (!parts[i].IsParameter) continue;
                return (StaticText(parts.Take(i)), parts[i].Text, StaticText(parts.Skip(i + 1)));
            }

            return null;
        }

        private static PromptMethodSpec SpecOf(IMethodSymbol method, AttributeData attribute, CancellationToken ct) =>
            Specs.GetValue(method, m => PromptMethodParser.Parse(m, attribute, diagnostics: null, ct));

        public AttributeArgumentSyntax? Argument(string name) =>
            Syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

        /// <summary>
        /// The [Prompt] of the method whose attribute list holds <paramref name="attribute"/> (a syntax node action on the
        /// attribute, which has the semantic model the const-following rules need); null when it is not a [Prompt].
        /// </summary>
        public static PromptDeclaration? OfAttribute(AttributeSyntax attribute, SemanticModel model, INamedTypeSymbol promptAttribute, CancellationToken ct)
        {
            if (attribute.Parent?.Parent is not MethodDeclarationSyntax declaration) return null;
            if (model.GetDeclaredSymbol(declaration, ct) is not IMethodSymbol method) return null;
            method = method.PartialDefinitionPart ?? method;
            foreach (var data in method.GetAttributes())
            {
                if (!SymbolEqualityComparer.Default.Equals(data.AttributeClass, promptAttribute)) continue;
                if (data.ApplicationSyntaxReference?.GetSyntax(ct) != attribute) return null;
                return new PromptDeclaration(method, attribute, SpecOf(method, data, ct));
            }

            return null;
        }

        /// <summary>The [Prompt] behind a method symbol handed to a symbol action, analysed once per partial method.</summary>
        public static PromptDeclaration? TryCreate(IMethodSymbol method, INamedTypeSymbol promptAttribute, CancellationToken ct)
        {
            if (PromptMethods.Find(method, promptAttribute, ct) is not { } found) return null;
            if (found.Attribute.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return null;
            return new PromptDeclaration(found.Method, syntax, SpecOf(found.Method, found.Attribute, ct));
        }
    }
}
