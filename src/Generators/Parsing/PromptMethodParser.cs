using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Generators.Diagnostics;
using PromptOps.Generators.Model;
using PromptOps.Knowledge;

namespace PromptOps.Generators.Parsing
{
    /// <summary>One problem found by the parser: a descriptor, where, and the message arguments.</summary>
    internal readonly struct ParseDiagnostic
    {
        public ParseDiagnostic(DiagnosticDescriptor descriptor, Location? location, params object[] args)
        {
            Descriptor = descriptor;
            Location = location;
            Args = args;
        }

        public DiagnosticDescriptor Descriptor { get; }

        public Location? Location { get; }

        public object[] Args { get; }

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Args);
    }

    /// <summary>
    /// Symbols → <see cref="PromptMethodSpec"/>. Shared by the generator (which only keeps the spec, and emits nothing
    /// for a method with errors) and by <see cref="PromptMethodAnalyzer"/> (which reports the diagnostics).
    /// </summary>
    internal static class PromptMethodParser
    {
        public const string PromptAttributeName = "PromptOps.PromptAttribute";
        [ThreadStatic]
        private static SHA256? t_sha;

        private static readonly ConditionalWeakTable<INamedTypeSymbol, List<ClientSource>> ClientsByType = new ConditionalWeakTable<INamedTypeSymbol, List<ClientSource>>();

        private static readonly ConditionalWeakTable<INamedTypeSymbol, EnumFacts> LabelsByEnum = new ConditionalWeakTable<INamedTypeSymbol, EnumFacts>();

        private static readonly ConditionalWeakTable<ITypeSymbol, string> DisplayByType = new ConditionalWeakTable<ITypeSymbol, string>();

        /// <summary>What every [Prompt] method of a type shares, computed once per type symbol (i.e. once per type per compilation).</summary>
        private static readonly ConditionalWeakTable<INamedTypeSymbol, TypeFacts> FactsByType = new ConditionalWeakTable<INamedTypeSymbol, TypeFacts>();

        private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static PromptMethodSpec? Parse(IMethodSymbol method, AttributeData attribute, List<ParseDiagnostic>? diagnostics, CancellationToken cancellationToken)
        {
            var ok = true;
            var methodLocation = method.Locations.FirstOrDefault();
            var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? methodLocation;
            var methodName = method.Name;

            void Report(DiagnosticDescriptor d, Location? location, params object[] args)
            {
                if (d.DefaultSeverity == DiagnosticSeverity.Error) ok = false;
                diagnostics?.Add(new ParseDiagnostic(d, location ?? methodLocation, args));
            }

            // --- shape of the declaration -------------------------------------------------------------------
            var declarations = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().ToList();
            var isPartial = declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!isPartial)
            {
                Report(DiagnosticDescriptors.MustBePartial, methodLocation, methodName);
            }
            else if (declarations.Any(d => d.Body is not null || d.ExpressionBody is not null)
                     || (method.PartialImplementationPart is { } implementation && !IsGenerated(implementation)))
            {
                Report(DiagnosticDescriptors.HasBody, methodLocation, methodName);
            }

            var typeFacts = FactsByType.GetValue(method.ContainingType, t => TypeFacts.Of(t, cancellationToken));
            foreach (var type in typeFacts.NotPartial)
            {
                Report(DiagnosticDescriptors.TypeMustBePartial, type.Locations.FirstOrDefault(), type.Name, methodName);
            }

            if (method.IsGenericMethod)
            {
                Report(DiagnosticDescriptors.UnsupportedReturnType, methodLocation, methodName, "a generic method (type parameters)");
            }

            // --- return type --------------------------------------------------------------------------------
            var (async, kind, wraps, valueType, returnOk) = ClassifyReturn(method.ReturnType);
            if (!returnOk)
            {
                Report(DiagnosticDescriptors.UnsupportedReturnType, ReturnLocation(declarations) ?? methodLocation, methodName, method.ReturnType.ToDisplayString());
            }

            // --- parameters ---------------------------------------------------------------------------------
            var parameters = new List<ParameterSpec>();
            string? clientAccess = null;
            foreach (var p in method.Parameters)
            {
                var location = p.Locations.FirstOrDefault();
                if (p.RefKind != RefKind.None)
                {
                    Report(DiagnosticDescriptors.UnsupportedParameter, location, p.Name, methodName, "'" + p.RefKind.ToString().ToLowerInvariant() + "'");
                }
                else if (p.IsParams)
                {
                    Report(DiagnosticDescriptors.UnsupportedParameter, location, p.Name, methodName, "'params'");
                }

                var isToken = IsNamed(p.Type, "CancellationToken", "System", "Threading");
                var isClient = method.IsStatic && p.Ordinal == 0 && IsChatClient(p.Type);
                if (isClient) clientAccess = EscapeIdentifier(p.Name);
                var scope = false;
                var enumeratorCancellation = false;
                var maxInput = 0;
                foreach (var a in p.GetAttributes())
                {
                    var c = a.AttributeClass;
                    if (IsNamed(c, "CacheScopeAttribute", "PromptOps"))
                    {
                        scope = true;
                    }
                    else if (IsNamed(c, "EnumeratorCancellationAttribute", "System", "Runtime", "CompilerServices"))
                    {
                        enumeratorCancellation = true;
                    }
                    else if (IsNamed(c, "MaxInputTokensAttribute", "PromptOps") && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int n)
                    {
                        if (n <= 0) Report(DiagnosticDescriptors.InvalidSetting, location, $"[MaxInputTokens({n})] on '{p.Name}' must be positive");
                        maxInput = n;
                    }
                }

                parameters.Add(new ParameterSpec(EscapeIdentifier(p.Name), Display(p.Type), isToken, scope, maxInput, isClient, enumeratorCancellation));
            }

            // --- the IChatClient --------------------------------------------------------------------------------
            if (!method.IsStatic)
            {
                var sources = ClientsByType.GetValue(method.ContainingType, t => FindChatClients(t, cancellationToken));
                if (sources.Count == 0)
                {
                    Report(DiagnosticDescriptors.NoChatClient, methodLocation, methodName, method.ContainingType.Name);
                }
                else if (sources.Count > 1)
                {
                    Report(DiagnosticDescriptors.SeveralChatClients, methodLocation, methodName, string.Join(", ", sources.Select(s => "'" + s.Name + "'")), method.ContainingType.Name);
                }
                else
                {
                    clientAccess = sources[0].Access;
                }
            }
            else if (clientAccess is null)
            {
                Report(DiagnosticDescriptors.NoChatClient, methodLocation, methodName, method.ContainingType.Name);
            }

            // --- attribute settings ---------------------------------------------------------------------------
            string? task = null, ttl = null, system = null, user = null, tier = null;
            int maxTokens = 0, maxInputTokens = 0;
            double temperature = double.NaN, semanticThreshold = double.NaN;
            foreach (var arg in attribute.NamedArguments)
            {
                switch (arg.Key)
                {
                    case "Task": task = arg.Value.Value as string; break;
                    case "CacheTtl": ttl = arg.Value.Value as string; break;
                    case "System": system = arg.Value.Value as string; break;
                    case "User": user = arg.Value.Value as string; break;
                    case "Tier": tier = arg.Value.Value as string; break;
                    case "MaxTokens": maxTokens = arg.Value.Value is int m ? m : 0; break;
                    case "MaxInputTokens": maxInputTokens = arg.Value.Value is int mi ? mi : 0; break;
                    case "Temperature": temperature = arg.Value.Value is double t ? t : double.NaN; break;
                    case "SemanticThreshold": semanticThreshold = arg.Value.Value is double st ? st : double.NaN; break;
                }
            }

            var canonicalTask = task;
            if (task is not null)
            {
                if (PromptTasks.TryGet(task, out var info)) canonicalTask = info.Name;
                else Report(DiagnosticDescriptors.UnknownTask, attributeLocation, task, PromptTasks.ValidNames);
            }

            string? canonicalTtl = null;
            var ttlIsNone = false;
            if (ttl is not null)
            {
                if (CacheTtl.TryParse(ttl, out var parsedTtl, out var ttlError))
                {
                    canonicalTtl = parsedTtl.Name;
                    ttlIsNone = parsedTtl.IsNone;
                }
                else
                {
                    Report(DiagnosticDescriptors.InvalidCacheTtl, attributeLocation, "CacheTtl: " + ttlError);
                }
            }

            string? tierMember = null;
            if (tier is not null)
            {
                if (ModelTiers.TryParse(tier, out var parsedTier)) tierMember = parsedTier.ToString();
                else Report(DiagnosticDescriptors.InvalidSetting, attributeLocation, $"Tier '{tier}' is not a tier; use one of: {ModelTiers.ValidNames}");
            }

            if (maxTokens < 0) Report(DiagnosticDescriptors.InvalidSetting, attributeLocation, $"MaxTokens must be positive (or 0 for the task default), but is {maxTokens}");
            if (maxInputTokens < 0) Report(DiagnosticDescriptors.InvalidSetting, attributeLocation, $"MaxInputTokens must be positive (or 0 for no limit), but is {maxInputTokens}");
            if (!double.IsNaN(temperature) && (temperature < 0 || temperature > 2))
            {
                Report(DiagnosticDescriptors.InvalidSetting, attributeLocation, "Temperature must be between 0 and 2, but is " + temperature.ToString(CultureInfo.InvariantCulture));
            }

            if (!double.IsNaN(semanticThreshold) && !(semanticThreshold > 0 && semanticThreshold <= 1))
            {
                Report(DiagnosticDescriptors.InvalidSetting, attributeLocation, "SemanticThreshold must be in (0, 1] (a cosine similarity), but is " + semanticThreshold.ToString(CultureInfo.InvariantCulture));
            }

            if (system is null && user is null) Report(DiagnosticDescriptors.EmptyPrompt, attributeLocation, methodName);

            // --- templates ----------------------------------------------------------------------------------
            var systemParts = ParseTemplate("System", system);
            var userParts = ParseTemplate("User", user);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var part in systemParts.Concat(userParts).Where(p => p.IsParameter)) used.Add(part.Text);
            foreach (var part in systemParts.Where(p => p.IsParameter).Concat(userParts.Where(p => p.IsParameter)))
            {
                var match = parameters.FirstOrDefault(p => p.Name.TrimStart('@') == part.Text);
                if (match is null || match.IsCancellationToken || match.IsChatClient)
                {
                    var which = systemParts.Contains(part) ? "System" : "User";
                    Report(DiagnosticDescriptors.UnknownPlaceholder, attributeLocation, which, part.Text, methodName);
                }
            }

            foreach (var p in method.Parameters)
            {
                var spec = parameters[p.Ordinal];
                if (spec.IsCancellationToken || spec.IsChatClient || spec.IsCacheScope) continue;
                if (!used.Contains(p.Name)) Report(DiagnosticDescriptors.UnusedParameter, p.Locations.FirstOrDefault(), p.Name, methodName);
            }

            if (ttlIsNone && !double.IsNaN(semanticThreshold))
            {
                Report(DiagnosticDescriptors.ConflictingSettings, attributeLocation,
                    $"SemanticThreshold of '{methodName}' has no effect because CacheTtl is 'none'; remove SemanticThreshold or set a TTL");
            }

            if (ttlIsNone && parameters.Any(p => p.IsCacheScope))
            {
                Report(DiagnosticDescriptors.ConflictingSettings, attributeLocation,
                    $"[CacheScope] parameters of '{methodName}' have no effect because CacheTtl is 'none'; remove [CacheScope] or set a TTL");
            }

            if (async == AsyncKind.AsyncEnumerable && (canonicalTask is "classification" or "sentiment" or "yes_no"))
            {
                Report(DiagnosticDescriptors.ConflictingSettings, attributeLocation,
                    $"'{methodName}' streams text, but task '{canonicalTask}' expects a one-word answer; return Task<string>, Task<bool> or an enum instead");
            }

            if (!ok) return null;

            // --- result-specific instruction and labels --------------------------------------------------------
            var labels = EquatableArray<EnumLabel>.Empty;
            string? instruction = null;
            switch (kind)
            {
                case ResultKind.Enum:
                    var enumFacts = LabelsByEnum.GetValue((INamedTypeSymbol)valueType!, EnumFacts.Of);
                    labels = enumFacts.Labels;
                    instruction = enumFacts.Instruction;
                    break;
                case ResultKind.Bool:
                    instruction = "Answer yes or no.";
                    break;
                case ResultKind.Number:
                    instruction = "Answer with a number only.";
                    break;
            }

            var maxOutput = maxTokens > 0 ? maxTokens : PromptTasks.GetMaxOutputTokens(canonicalTask);
            var temperatureLiteral = double.IsNaN(temperature) ? null : ((float)temperature).ToString("R", CultureInfo.InvariantCulture) + "f";
            var semanticThresholdLiteral = double.IsNaN(semanticThreshold) ? null : semanticThreshold.ToString("R", CultureInfo.InvariantCulture) + "d";
            var typeKey = typeFacts.TypeKey;
            var valueDisplay = (valueType is null ? "string" : Display(valueType));
            var promptId = typeFacts.PromptIdPrefix + methodName;

            return new PromptMethodSpec(
                TypeKey: typeKey,
                Namespace: typeFacts.Namespace,
                ContainingTypes: typeFacts.Containing,
                MethodName: methodName,
                Accessibility: AccessibilityText(method.DeclaredAccessibility),
                IsStatic: method.IsStatic,
                ReturnTypeDisplay: Display(method.ReturnType),
                Async: async,
                Kind: kind,
                WrapsPromptResult: wraps,
                ValueTypeDisplay: valueDisplay,
                Parameters: new EquatableArray<ParameterSpec>(parameters),
                ClientAccess: clientAccess!,
                PromptId: promptId,
                SystemTemplate: system,
                UserTemplate: user,
                Task: canonicalTask,
                TierMember: tierMember,
                CacheTtl: canonicalTtl,
                MaxOutputTokens: maxOutput,
                TemperatureLiteral: temperatureLiteral,
                SemanticThresholdLiteral: semanticThresholdLiteral,
                MaxInputTokens: maxInputTokens,
                System: new EquatableArray<TemplatePart>(systemParts),
                User: new EquatableArray<TemplatePart>(userParts),
                Instruction: instruction,
                EnumLabels: labels);

            List<TemplatePart> ParseTemplate(string which, string? template)
            {
                if (template is null) return new List<TemplatePart>();
                if (TemplateParser.TryParse(template, out var parts, out var error, out var position)) return parts;
                Report(DiagnosticDescriptors.MalformedTemplate, attributeLocation, which, methodName, error!, position);
                return new List<TemplatePart>();
            }
        }

        /// <summary>True for the implementation part written by this generator.</summary>
        private static bool IsGenerated(IMethodSymbol method) =>
            method.DeclaringSyntaxReferences.Any(r => r.SyntaxTree.FilePath.EndsWith(".PromptOps.g.cs", StringComparison.Ordinal));

        private static Location? ReturnLocation(List<MethodDeclarationSyntax> declarations) => declarations.FirstOrDefault()?.ReturnType.GetLocation();

        private static (AsyncKind Async, ResultKind Kind, bool Wraps, ITypeSymbol? Value, bool Ok) ClassifyReturn(ITypeSymbol returnType)
        {
            if (returnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named) return (AsyncKind.Task, ResultKind.Text, false, null, false);
            var definition = named.ConstructedFrom;
            var arg = named.TypeArguments[0];
            if (IsNamed(definition, "IAsyncEnumerable", "System", "Collections", "Generic"))
            {
                return arg.SpecialType == SpecialType.System_String
                    ? (AsyncKind.AsyncEnumerable, ResultKind.Stream, false, arg, true)
                    : (AsyncKind.AsyncEnumerable, ResultKind.Stream, false, arg, false);
            }

            AsyncKind async;
            if (IsNamed(definition, "Task", "System", "Threading", "Tasks")) async = AsyncKind.Task;
            else if (IsNamed(definition, "ValueTask", "System", "Threading", "Tasks")) async = AsyncKind.ValueTask;
            else return (AsyncKind.Task, ResultKind.Text, false, null, false);

            var wraps = false;
            if (arg is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } inner && IsNamed(inner.ConstructedFrom, "PromptResult", "PromptOps"))
            {
                wraps = true;
                arg = inner.TypeArguments[0];
            }

            var kind = ClassifyValue(arg);
            return kind is null ? (async, ResultKind.Text, wraps, arg, false) : (async, kind.Value, wraps, arg, true);
        }

        private static ResultKind? ClassifyValue(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_String: return ResultKind.Text;
                case SpecialType.System_Boolean: return ResultKind.Bool;
                case SpecialType.System_SByte:
                case SpecialType.System_Byte:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                    return ResultKind.Number;
                case SpecialType.System_Object:
                case SpecialType.System_Void:
                    return null;
            }

            if (type.TypeKind == TypeKind.Enum) return ResultKind.Enum;
            if (type.TypeKind is TypeKind.Class or TypeKind.Struct or TypeKind.Array && !type.IsAbstract && type is not IErrorTypeSymbol
                && !(type is INamedTypeSymbol { IsGenericType: true } g && g.ConstructedFrom.SpecialType == SpecialType.System_Nullable_T))
            {
                return ResultKind.Json;
            }

            return null;
        }

        /// <summary>An enum's labels and the instruction listing them, computed once per enum symbol (many methods share one enum).</summary>
        private sealed class EnumFacts
        {
            private EnumFacts(EquatableArray<EnumLabel> labels, string instruction)
            {
                Labels = labels;
                Instruction = instruction;
            }

            public EquatableArray<EnumLabel> Labels { get; }

            public string Instruction { get; }

            public static EnumFacts Of(INamedTypeSymbol enumType)
            {
                var labels = new List<EnumLabel>();
                foreach (var member in enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue))
                {
                    var description = member.GetAttributes().FirstOrDefault(a => IsNamed(a.AttributeClass, "DescriptionAttribute", "System", "ComponentModel"))
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

        /// <summary>The display string of a type symbol (the same symbol object recurs: <c>string</c>, <c>CancellationToken</c>, the enum …).</summary>
        private static string Display(ITypeSymbol type) => DisplayByType.GetValue(type, t => t.ToDisplayString(TypeFormat));

        private sealed class TypeFacts
        {
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

            public static TypeFacts Of(INamedTypeSymbol containingType, CancellationToken cancellationToken)
            {
                var containing = new List<TypeDeclSpec>();
                var notPartial = new List<INamedTypeSymbol>();
                for (var type = containingType; type is not null; type = type.ContainingType)
                {
                    var typeSyntaxes = type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().ToList();
                    if (!typeSyntaxes.Any(s => s.Modifiers.Any(SyntaxKind.PartialKeyword))) notPartial.Add(type);
                    containing.Insert(0, new TypeDeclSpec(Keyword(type), NameWithTypeParameters(type)));
                }

                return new TypeFacts(
                    containingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                    containingType.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                    new EquatableArray<TypeDeclSpec>(containing),
                    notPartial);
            }
        }

        private sealed class ClientSource
        {
            public ClientSource(string name, string access)
            {
                Name = name;
                Access = access;
            }

            public string Name { get; }

            public string Access { get; }
        }

        private static List<ClientSource> FindChatClients(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var result = new List<ClientSource>();
            foreach (var member in type.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared) continue;
                switch (member)
                {
                    case IFieldSymbol f when IsChatClient(f.Type) && f.AssociatedSymbol is null:
                        result.Add(new ClientSource(f.Name, "this." + EscapeIdentifier(f.Name)));
                        break;
                    case IPropertySymbol p when IsChatClient(p.Type) && p.GetMethod is not null && !p.IsIndexer:
                        result.Add(new ClientSource(p.Name, "this." + EscapeIdentifier(p.Name)));
                        break;
                }
            }

            // Primary-constructor parameters (classes and structs; record parameters are properties, found above).
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: { } list } && reference.GetSyntax(cancellationToken) is not RecordDeclarationSyntax)
                {
                    foreach (var parameter in type.InstanceConstructors.Where(c => c.Parameters.Length == list.Parameters.Count && c.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) == reference.GetSyntax(cancellationToken))).SelectMany(c => c.Parameters))
                    {
                        if (IsChatClient(parameter.Type) && !result.Any(r => r.Name == parameter.Name))
                        {
                            result.Add(new ClientSource(parameter.Name, EscapeIdentifier(parameter.Name)));
                        }
                    }
                }
            }

            return result;
        }

        private static bool IsChatClient(ITypeSymbol type)
        {
            if (IsNamed(type, "IChatClient", "Microsoft", "Extensions", "AI")) return true;
            foreach (var i in type.AllInterfaces)
            {
                if (IsNamed(i, "IChatClient", "Microsoft", "Extensions", "AI")) return true;
            }

            return false;
        }

        /// <summary>Compares a symbol's name and namespace without building display strings (the transform runs on every edit).</summary>
        internal static bool IsNamed(ISymbol? symbol, string name, params string[] ns)
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

        private static string Keyword(INamedTypeSymbol type) => type switch
        {
            { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
            { IsRecord: true } => "record",
            { TypeKind: TypeKind.Struct } => "struct",
            { TypeKind: TypeKind.Interface } => "interface",
            _ => "class",
        };

        private static string NameWithTypeParameters(INamedTypeSymbol type) =>
            type.TypeParameters.Length == 0 ? EscapeIdentifier(type.Name) : EscapeIdentifier(type.Name) + "<" + string.Join(", ", type.TypeParameters.Select(t => EscapeIdentifier(t.Name))) + ">";

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };

        internal static string EscapeIdentifier(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) is SyntaxKind.AwaitKeyword ? "@" + name : name;

        /// <summary>
        /// The prompt version: a hash of the templates and the settings that change the answer. Computed by the emitter
        /// (only when a file is written), from the spec alone.
        /// </summary>
        internal static string Version(PromptMethodSpec spec)
        {
            string? system = spec.SystemTemplate, user = spec.UserTemplate, task = spec.Task, tier = spec.TierMember, temperature = spec.TemperatureLiteral;
            string? valueType = spec.ValueTypeDisplay, instruction = spec.Instruction;
            int maxOutput = spec.MaxOutputTokens, maxInput = spec.MaxInputTokens;
            var kind = spec.Kind;
            var parameters = spec.Parameters;
            // The settings that change the answer. The TTL is left out on purpose: changing how long answers are
            // kept does not make the kept answers wrong.
            var sb = new StringBuilder("promptops-version-1\u001e");
            sb.Append(system).Append('\u001e').Append(user).Append('\u001e').Append(task).Append('\u001e')
              .Append(maxOutput.ToString(CultureInfo.InvariantCulture)).Append('\u001e').Append(tier).Append('\u001e')
              .Append(temperature).Append('\u001e').Append(maxInput.ToString(CultureInfo.InvariantCulture)).Append('\u001e')
              .Append(kind.ToString()).Append('\u001e').Append(valueType).Append('\u001e').Append(instruction).Append('\u001e');
            foreach (var p in parameters.Where(p => p.MaxInputTokens > 0))
            {
                sb.Append(p.Name).Append('=').Append(p.MaxInputTokens.ToString(CultureInfo.InvariantCulture)).Append('\u001e');
            }

            var sha = t_sha ??= SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(sb.ToString()));
            var hex = new StringBuilder(16);
            for (var i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
