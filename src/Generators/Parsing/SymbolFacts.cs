using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Generators.Model;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// Facts about symbols that many [Prompt] methods share (their containing type, their enum, type display strings),
    /// computed once per symbol: the transform re-runs for every method on every edit.
    /// </summary>
    internal static class SymbolFacts
    {
        private static readonly ConditionalWeakTable<ITypeSymbol, string> DisplayByType = new ConditionalWeakTable<ITypeSymbol, string>();

        private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>The fully qualified display string of a type (the same symbol object recurs: <c>string</c>, the enum …).</summary>
        public static string Display(ITypeSymbol type) => DisplayByType.GetValue(type, t => t.ToDisplayString(TypeFormat));

        /// <summary>Compares a symbol's name and namespace without building display strings.</summary>
        public static bool IsNamed(ISymbol? symbol, string name, params string[] ns)
        {
            if (symbol is null || symbol.Name != name || symbol.ContainingType is not null) return false;
            var current = symbol.ContainingNamespace;
            for (var i = ns.Length - 1; i >= 0; i--)
            {
                if (current is null || current.Name != ns[i]) return false;
                current = current.ContainingNamespace;
            }

            return current is null || current.IsGlobalNamespace;
        }

        public static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.AwaitKeyword ? "@" + name : name;

        public static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };
    }

    /// <summary>What every [Prompt] method of a type shares, computed once per type symbol.</summary>
    internal sealed class TypeFacts
    {
        private static readonly ConditionalWeakTable<INamedTypeSymbol, TypeFacts> Cache = new ConditionalWeakTable<INamedTypeSymbol, TypeFacts>();

        private TypeFacts(string typeKey, string? ns, EquatableArray<TypeDeclSpec> containing, List<INamedTypeSymbol> notPartial)
        {
            TypeKey = typeKey;
            PromptIdPrefix = typeKey.Replace("global::", string.Empty) + ".";
            Namespace = ns;
            Containing = containing;
            NotPartial = notPartial;
        }

        public string TypeKey { get; }

        public string PromptIdPrefix { get; }

        public string? Namespace { get; }

        /// <summary>The containing types, outermost first.</summary>
        public EquatableArray<TypeDeclSpec> Containing { get; }

        /// <summary>The containing types (innermost first) that have no partial declaration.</summary>
        public List<INamedTypeSymbol> NotPartial { get; }

        public static TypeFacts Of(INamedTypeSymbol type, CancellationToken cancellationToken) =>
            Cache.GetValue(type, t => Create(t, cancellationToken));

        private static TypeFacts Create(INamedTypeSymbol containingType, CancellationToken cancellationToken)
        {
            var containing = new List<TypeDeclSpec>();
            var notPartial = new List<INamedTypeSymbol>();
            for (var type = containingType; type is not null; type = type.ContainingType)
            {
                var isPartial = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>()
                    .Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!isPartial) notPartial.Add(type);
                containing.Insert(0, new TypeDeclSpec(Keyword(type), NameWithTypeParameters(type)));
            }

            return new TypeFacts(
                containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                containingType.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                new EquatableArray<TypeDeclSpec>(containing),
                notPartial);
        }

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };

        private static string NameWithTypeParameters(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0
                ? SymbolFacts.EscapeIdentifier(type.Name)
                : SymbolFacts.EscapeIdentifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(t => SymbolFacts.EscapeIdentifier(t.Name))) + ">";
    }

    /// <summary>An enum's labels and the instruction listing them, computed once per enum symbol (many methods share one enum).</summary>
    internal sealed class EnumFacts
    {
        private static readonly ConditionalWeakTable<INamedTypeSymbol, EnumFacts> Cache = new ConditionalWeakTable<INamedTypeSymbol, EnumFacts>();

        private EnumFacts(EquatableArray<EnumLabel> labels, string instruction)
        {
            Labels = labels;
            Instruction = instruction;
        }

        public EquatableArray<EnumLabel> Labels { get; }

        public string Instruction { get; }

        public static EnumFacts Of(INamedTypeSymbol enumType) => Cache.GetValue(enumType, Create);

        private static EnumFacts Create(INamedTypeSymbol enumType)
        {
            var labels = new List<EnumLabel>();
            foreach (var member in enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
            {
                var description = member.GetAttributes().FirstOrDefault(a => SymbolFacts.IsNamed(a.AttributeClass, "DescriptionAttribute", "System", "ComponentModel"))
                    ?.ConstructorArguments.FirstOrDefault().Value as string;
                labels.Add(new EnumLabel(string.IsNullOrWhiteSpace(description) ? member.Name : description!, member.Name));
            }

            var instruction = "Answer with exactly one of: " + string.Join(", ", labels.Select(l => l.Label)) + ".";
            foreach (var l in labels.ToList())
            {
                if (l.Label != l.Member) labels.Add(new EnumLabel(l.Member, l.Member));
            }

            return new EnumFacts(new EquatableArray<EnumLabel>(labels), instruction);
        }
    }
}
