using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.Analyzers.Tests.Repository;

/// <summary>
/// The fast inner loop (<c>dotnet test tests/Runtime.Tests --filter "Needs!=redis"</c>, README) leaves out exactly the
/// test classes that need a server or the dotnet CLI, because each carries <c>[Trait("Needs", …)]</c>. This reads every
/// test source of the repository and checks that the traits match what the classes use, so they cannot rot: a class
/// that reaches one of the types below — directly or through any helper type that does (by name, across the test
/// projects) — carries the trait, and a class that no longer does, does not.
/// </summary>
public class NeedsTraitTests
{
    /// <summary>The types that need something beyond the SDK, and the trait value of the classes that use them.</summary>
    private static readonly Dictionary<string, string> Needs = new(StringComparer.Ordinal)
    {
        ["RedisServer"] = "redis",   // a real redis-server (apt-get install redis-server)
        ["GarnetServer"] = "garnet", // the garnet-server dotnet tool
        ["Chromium"] = "chromium",   // headless Chromium (apt-get install chromium)
        ["DotNet"] = "package",      // the dotnet CLI: packs the packages, builds and runs fresh projects and the sample
    };

    [Fact]
    public void Every_test_class_that_needs_a_server_or_the_dotnet_cli_carries_the_Needs_trait_and_no_other_does()
    {
        var types = Declarations(Path.Combine(RepositoryRoot(), "tests"));
        foreach (var seed in Needs.Keys) Assert.True(types.ContainsKey(seed), $"no type {seed} in tests/: update {nameof(NeedsTraitTests)}.{nameof(Needs)}");

        var needs = Propagate(types);
        var testClasses = types.Values.Where(t => t.IsTestClass(types)).ToList();
        var wrong = testClasses
            .Where(t => !needs[t.Name].SetEquals(t.Traits))
            .Select(t => $"{t.File}: {t.Name} needs [{string.Join(", ", needs[t.Name].Order(StringComparer.Ordinal))}], " +
                         $"carries [{string.Join(", ", t.Traits.Order(StringComparer.Ordinal))}]: " +
                         string.Concat(needs[t.Name].Except(t.Traits).Order(StringComparer.Ordinal).Select(n => $"add [Trait(\"Needs\", \"{n}\")] ")) +
                         string.Concat(t.Traits.Except(needs[t.Name]).Order(StringComparer.Ordinal).Select(n => $"remove [Trait(\"Needs\", \"{n}\")] ")))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));

        // The check sees what it should: every kind of need has classes that carry it.
        foreach (var value in Needs.Values)
            Assert.Contains(testClasses, t => t.Traits.Contains(value));
    }

    [Fact]
    public void A_need_reaches_a_test_class_through_helpers_fixtures_and_base_classes_but_not_through_a_helper_s_other_members()
    {
        var types = Parse(
            "tests/X/Fixtures.cs", """
            public sealed class RedisServer { public static RedisServer Persistent() => new(); }
            public static class Kit
            {
                public static void Connect(RedisServer s) { }
                public static int FreePort() => 5;
                public static void Both() { FreePort(); Connect(Start()); }
                private static RedisServer Start() => new();
            }
            public sealed class Store { public Store() => Kit.Connect(null!); }
            """,
            "tests/X/Tests.cs", """
            public sealed class Direct(RedisServer server) : IClassFixture<RedisServer> { [Fact] public void A() { } }
            [Trait("Needs", "redis")] public sealed class Indirect { [Fact] public void A() => new Store(); }
            [Trait("Needs", "redis")] public sealed class Static { [Fact] public void A() => RedisServer.Persistent(); }
            public sealed class PortOnly { [Fact] public void A() => X.Kit.FreePort(); }
            [Trait("Needs", "redis")] public sealed class Sibling { [Fact] public void A() => Kit.Both(); }
            public abstract class Contract { [Fact] public void A() { } }
            [Trait("Needs", "redis")] public sealed class ThroughBase : Contract { private RedisServer? _s; }
            [Trait("Needs", "redis")] public sealed class Stale { [Fact] public void A() { } }
            public sealed class Plain { [Fact] public void A() { } }
            """);

        var needs = Propagate(types);
        var wrong = types.Values.Where(t => t.IsTestClass(types) && !needs[t.Name].SetEquals(t.Traits)).Select(t => t.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["Direct", "Stale"], wrong);
        Assert.False(types["Contract"].IsTestClass(types)); // abstract: its tests run in the classes that derive from it
        Assert.Empty(needs["PortOnly"]);                     // Kit.FreePort needs nothing, Kit.Connect does
    }

    /// <summary>
    /// A declared type: its name, file, base types, <c>Needs</c> traits, and what it refers to — for each member
    /// (method, property, field, constructor: <see cref="MemberUses"/>) and outside them (attributes, base list, primary
    /// constructor: <see cref="TypeUses"/>). A use is a type name, or <c>Type.Member</c> for a member reached through
    /// its type (<c>Kit.FreePort()</c>), which needs only what that member needs.
    /// </summary>
    private sealed record TypeInfo(string Name, string File, bool IsAbstract, bool HasTests, HashSet<string> Bases, HashSet<string> Traits,
        HashSet<string> TypeUses, Dictionary<string, HashSet<string>> MemberUses)
    {
        public bool IsTestClass(Dictionary<string, TypeInfo> all)
        {
            if (IsAbstract) return false;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var queue = new Queue<TypeInfo>([this]);
            while (queue.TryDequeue(out var type))
            {
                if (!seen.Add(type.Name)) continue;
                if (type.HasTests) return true;
                foreach (var b in type.Bases)
                    if (all.TryGetValue(b, out var baseType)) queue.Enqueue(baseType);
            }

            return false;
        }
    }

    /// <summary>
    /// What every type and member needs: a seed type and all its members need its value; a member needs what it uses; a
    /// type needs what it uses outside its members, what its members need, and what its base types need; until nothing
    /// changes. Returns the types' needs.
    /// </summary>
    private static Dictionary<string, HashSet<string>> Propagate(Dictionary<string, TypeInfo> types)
    {
        var needs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var uses = new Dictionary<string, (string Owner, List<string> Used)>(StringComparer.Ordinal);
        foreach (var type in types.Values)
        {
            var seed = Needs.TryGetValue(type.Name, out var n) ? [n] : Array.Empty<string>();
            needs[type.Name] = new HashSet<string>(seed, StringComparer.Ordinal);
            uses[type.Name] = (type.Name, [.. type.TypeUses, .. type.Bases, .. type.MemberUses.Keys.Select(m => type.Name + "." + m)]);
            foreach (var (member, used) in type.MemberUses)
            {
                needs[type.Name + "." + member] = new HashSet<string>(seed, StringComparer.Ordinal);
                uses[type.Name + "." + member] = (type.Name, [.. used]);
            }
        }

        // A plain name: a member of the owner's own type (called without its type's name) and/or a type. Type.Member:
        // that member when the type declares it, else the type (an inherited member, an enum value, …).
        IEnumerable<string> Resolve(string use, string owner)
        {
            if (needs.ContainsKey(use)) yield return use;
            if (!use.Contains('.', StringComparison.Ordinal) && needs.ContainsKey(owner + "." + use)) yield return owner + "." + use;
            else if (use.Contains('.', StringComparison.Ordinal) && !needs.ContainsKey(use) && types.ContainsKey(use.Split('.')[0])) yield return use.Split('.')[0];
        }

        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (node, (owner, used)) in uses)
                foreach (var target in used.SelectMany(u => Resolve(u, owner)).Where(t => t != node))
                    foreach (var need in needs[target].ToList())
                        changed |= needs[node].Add(need);
        }

        return types.Keys.ToDictionary(k => k, k => needs[k], StringComparer.Ordinal);
    }

    private static Dictionary<string, TypeInfo> Declarations(string testsFolder)
    {
        var files = Directory.EnumerateFiles(testsFolder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .SelectMany(f => new[] { Path.GetRelativePath(Path.GetDirectoryName(testsFolder)!, f), File.ReadAllText(f) })
            .ToArray();
        return Parse(files);
    }

    /// <summary>Types declared in the sources (path, text, path, text, …); partial declarations are merged by name.</summary>
    private static Dictionary<string, TypeInfo> Parse(params string[] pathsAndTexts)
    {
        var types = new Dictionary<string, TypeInfo>(StringComparer.Ordinal);
        for (var i = 0; i < pathsAndTexts.Length; i += 2)
        {
            var root = CSharpSyntaxTree.ParseText(pathsAndTexts[i + 1], path: pathsAndTexts[i]).GetRoot();
            foreach (var declaration in root.DescendantNodes().OfType<TypeDeclarationSyntax>())
            {
                var name = declaration.Identifier.ValueText;
                var bases = declaration.BaseList?.Types.Select(t => RightmostName(t.Type)) ?? [];
                var hasTests = declaration.Members.OfType<MethodDeclarationSyntax>()
                    .Any(m => m.AttributeLists.SelectMany(l => l.Attributes).Any(a => Name(a) is "Fact" or "Theory"));
                var traits = declaration.AttributeLists.SelectMany(l => l.Attributes)
                    .Where(a => Name(a) == "Trait" && a.ArgumentList?.Arguments.Count == 2 && Literal(a.ArgumentList.Arguments[0]) == "Needs")
                    .Select(a => Literal(a.ArgumentList!.Arguments[1]) ?? a.ArgumentList.Arguments[1].ToString());
                var isAbstract = declaration.Modifiers.Any(SyntaxKind.AbstractKeyword) || declaration is InterfaceDeclarationSyntax;

                var memberUses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
                var members = declaration.Members.Where(m => m is not BaseTypeDeclarationSyntax and not DelegateDeclarationSyntax).ToList();
                foreach (var member in members)
                {
                    foreach (var memberName in MemberNames(member))
                    {
                        if (!memberUses.TryGetValue(memberName, out var set)) memberUses[memberName] = set = new HashSet<string>(StringComparer.Ordinal);
                        set.UnionWith(Uses(member));
                    }
                }

                // Outside the members: attributes, base list, primary constructor, type parameter constraints.
                var typeUses = declaration.ChildNodes().Where(c => c is not MemberDeclarationSyntax).SelectMany(Uses);

                if (types.TryGetValue(name, out var known))
                {
                    known.Bases.UnionWith(bases);
                    known.Traits.UnionWith(traits);
                    known.TypeUses.UnionWith(typeUses);
                    foreach (var (member, used) in memberUses)
                    {
                        if (known.MemberUses.TryGetValue(member, out var set)) set.UnionWith(used);
                        else known.MemberUses[member] = used;
                    }

                    types[name] = known with { HasTests = known.HasTests || hasTests, IsAbstract = known.IsAbstract || isAbstract };
                }
                else
                {
                    types[name] = new TypeInfo(name, pathsAndTexts[i], isAbstract, hasTests, new HashSet<string>(bases, StringComparer.Ordinal),
                        new HashSet<string>(traits, StringComparer.Ordinal), new HashSet<string>(typeUses, StringComparer.Ordinal), memberUses);
                }
            }
        }

        return types;
    }

    /// <summary>The names a member declares (a field declaration may declare several; constructors are ".ctor").</summary>
    private static IEnumerable<string> MemberNames(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax m => [m.Identifier.ValueText],
        PropertyDeclarationSyntax p => [p.Identifier.ValueText],
        EventDeclarationSyntax e => [e.Identifier.ValueText],
        BaseFieldDeclarationSyntax f => f.Declaration.Variables.Select(v => v.Identifier.ValueText),
        ConstructorDeclarationSyntax => [".ctor"],
        _ => ["." + member.Kind()],
    };

    /// <summary>
    /// The names <paramref name="node"/> refers to, outside nested types: <c>T.M</c> for <c>T.M</c> or <c>N.T.M</c>
    /// (a member reached through a type name), else the simple name itself.
    /// </summary>
    private static IEnumerable<string> Uses(SyntaxNode node)
    {
        foreach (var name in node.DescendantNodesAndSelf(n => n == node || n is not BaseTypeDeclarationSyntax).OfType<SimpleNameSyntax>())
        {
            if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
            {
                // The member part of T.M: counted with its type below.
                if (access.Parent is not MemberAccessExpressionSyntax outer || outer.Expression != access) continue;
                yield return name.Identifier.ValueText + "." + outer.Name.Identifier.ValueText; // N.T.M
                continue;
            }

            yield return name.Parent is MemberAccessExpressionSyntax { Expression: var e } typed && e == name
                ? name.Identifier.ValueText + "." + typed.Name.Identifier.ValueText // T.M
                : name.Identifier.ValueText;
        }
    }

    private static string RightmostName(TypeSyntax type) => type switch
    {
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        SimpleNameSyntax s => s.Identifier.ValueText,
        _ => type.ToString(),
    };

    private static string Name(AttributeSyntax attribute)
    {
        var name = RightmostName(attribute.Name);
        return name.EndsWith("Attribute", StringComparison.Ordinal) ? name[..^"Attribute".Length] : name;
    }

    private static string? Literal(AttributeArgumentSyntax argument) =>
        argument.Expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } literal ? literal.Token.ValueText : null;

    private static string RepositoryRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));
}
