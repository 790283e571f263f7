using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.Generators.Parsing
{
    /// <summary>The <c>IChatClient</c>s an instance [Prompt] method could call: fields, properties and primary-constructor parameters.</summary>
    internal static class ChatClientSources
    {
        private static readonly ConditionalWeakTable<INamedTypeSymbol, List<ChatClientSource>> Cache = new ConditionalWeakTable<INamedTypeSymbol, List<ChatClientSource>>();

        /// <summary>The sources in <paramref name="type"/>, found once per type symbol.</summary>
        public static List<ChatClientSource> Of(INamedTypeSymbol type, CancellationToken cancellationToken) =>
            Cache.GetValue(type, t => Find(t, cancellationToken));

        public static bool IsChatClient(ITypeSymbol type)
        {
            if (SymbolFacts.IsNamed(type, "IChatClient", "Microsoft", "Extensions", "AI")) return true;
            foreach (var i in type.AllInterfaces)
            {
                if (SymbolFacts.IsNamed(i, "IChatClient", "Microsoft", "Extensions", "AI")) return true;
            }

            return false;
        }

        private static List<ChatClientSource> Find(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var result = new List<ChatClientSource>();
            foreach (var member in type.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared) continue;
                switch (member)
                {
                    case IFieldSymbol f when IsChatClient(f.Type) && f.AssociatedSymbol is null:
                        result.Add(new ChatClientSource(f.Name, "this." + SymbolFacts.EscapeIdentifier(f.Name)));
                        break;
                    case IPropertySymbol p when IsChatClient(p.Type) && p.GetMethod is not null && !p.IsIndexer:
                        result.Add(new ChatClientSource(p.Name, "this." + SymbolFacts.EscapeIdentifier(p.Name)));
                        break;
                }
            }

            // Primary-constructor parameters (classes and structs; record parameters are properties, found above).
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                if (syntax is not TypeDeclarationSyntax { ParameterList: { } list } || syntax is RecordDeclarationSyntax) continue;
                var constructor = type.InstanceConstructors.FirstOrDefault(c =>
                    c.Parameters.Length == list.Parameters.Count && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) == syntax));
                if (constructor is null) continue;
                foreach (var parameter in constructor.Parameters)
                {
                    if (IsChatClient(parameter.Type) && !result.Any(r => r.Name == parameter.Name))
                    {
                        result.Add(new ChatClientSource(parameter.Name, SymbolFacts.EscapeIdentifier(parameter.Name)));
                    }
                }
            }

            return result;
        }
    }

    /// <summary>One IChatClient a method could call: its name and the expression the generated body uses.</summary>
    internal sealed class ChatClientSource
    {
        public ChatClientSource(string name, string access)
        {
            Name = name;
            Access = access;
        }

        public string Name { get; }

        public string Access { get; }
    }
}
