using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>What the cost rules need to know about a <c>[Prompt]</c> method, read from its attribute.</summary>
    internal sealed class PromptDeclaration
    {
        private static readonly Regex Placeholder = new Regex(@"(?<!\{)\{@?([A-Za-z_][A-Za-z0-9_]*)\}(?!\})", RegexOptions.CultureInvariant);

        private PromptDeclaration(IMethodSymbol method, AttributeData attribute, AttributeSyntax syntax)
        {
            Method = method;
            Attribute = attribute;
            Syntax = syntax;
            foreach (var arg in attribute.NamedArguments)
            {
                switch (arg.Key)
                {
                    case "Task": Task = arg.Value.Value as string; break;
                    case "Tier": Tier = arg.Value.Value as string; break;
                    case "CacheTtl": CacheTtl = arg.Value.Value as string; break;
                    case "System": System = arg.Value.Value as string; break;
                    case "User": User = arg.Value.Value as string; break;
                    case "MaxTokens": MaxTokens = arg.Value.Value is int m ? m : 0; break;
                    case "MaxInputTokens": MaxInputTokens = arg.Value.Value is int mi ? mi : 0; break;
                }
            }
        }

        public IMethodSymbol Method { get; }

        public AttributeData Attribute { get; }

        public AttributeSyntax Syntax { get; }

        public string? Task { get; }

        public string? Tier { get; }

        public string? CacheTtl { get; }

        public string? System { get; }

        public string? User { get; }

        public int MaxTokens { get; }

        public int MaxInputTokens { get; }

        /// <summary>True unless CacheTtl is "none" (no CacheTtl means the runtime's default TTL: cached).</summary>
        public bool IsCached => CacheTtl is null || !Knowledge.CacheTtl.TryParse(CacheTtl, out var ttl, out _) || !ttl.IsNone;

        /// <summary>The tier the prompt runs on: Tier, else the task's tier, else balanced.</summary>
        public ModelTier EffectiveTier =>
            Tier is not null && ModelTiers.TryParse(Tier, out var t) ? t : PromptTasks.GetTier(Task);

        public int EffectiveMaxOutputTokens => MaxTokens > 0 ? MaxTokens : PromptTasks.GetMaxOutputTokens(Task);

        /// <summary>The placeholder names used in System and User.</summary>
        public HashSet<string> Placeholders
        {
            get
            {
                var set = new HashSet<string>(System_StringComparer.Ordinal);
                foreach (var text in new[] { System, User })
                {
                    if (text is null) continue;
                    foreach (Match m in Placeholder.Matches(text)) set.Add(m.Groups[1].Value);
                }

                return set;
            }
        }

        /// <summary>The template with placeholders removed: the text every call pays for.</summary>
        public static string StaticText(string? template) =>
            template is null ? string.Empty : Placeholder.Replace(template, string.Empty).Replace("{{", "{").Replace("}}", "}");

        /// <summary>The static text before the first placeholder, its name, and the static text after it; null without placeholders.</summary>
        public static (string Before, string Placeholder, string After)? SplitAtFirstPlaceholder(string? template)
        {
            if (template is null) return null;
            var m = Placeholder.Match(template);
            if (!m.Success) return null;
            return (StaticText(template.Substring(0, m.Index)), m.Groups[1].Value, StaticText(template.Substring(m.Index + m.Length)));
        }

        public AttributeArgumentSyntax? Argument(string name) =>
            Syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

        public static PromptDeclaration? TryCreate(IMethodSymbol method, INamedTypeSymbol promptAttribute, System.Threading.CancellationToken ct)
        {
            if (method.PartialDefinitionPart is not null) return null; // analysed through the definition
            if (!Generators.Parsing.AttributeSyntaxFilter.MayHaveAttributes(method, ct)) return null; // no attribute list: no [Prompt], nothing bound
            var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, promptAttribute));
            if (attribute?.ApplicationSyntaxReference?.GetSyntax(ct) is not AttributeSyntax syntax) return null;
            return new PromptDeclaration(method, attribute, syntax);
        }

        private static class System_StringComparer
        {
            public static readonly global::System.StringComparer Ordinal = global::System.StringComparer.Ordinal;
        }
    }
}
