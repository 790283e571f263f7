using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PromptOps.Generators.Model;
using PromptOps.Knowledge;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// Symbols → <see cref="PromptMethodSpec"/>: the one reader of <c>[Prompt]</c>. Shared by the generator (which keeps
    /// the spec and emits from it), by the PO1xxx analyzer (which reports the problems it finds) and by the cost analyzers
    /// (linked into their assembly), so all three see the same attribute values, template grammar and IChatClient.
    /// Each step below reads one part of the declaration and reports what is wrong with it.
    /// </summary>
    internal static class PromptMethodParser
    {
        public const string PromptAttributeName = "PromptOps.PromptAttribute";

        /// <summary>
        /// Parses one [Prompt] method. Returns null only when the attribute cannot describe a prompt at all; a method with
        /// errors still gets a spec (<see cref="PromptMethodSpec.Emit"/> says what may be written), so the cost rules
        /// judge its prompt while the user fixes the declaration. Problems go to <paramref name="diagnostics"/> when given.
        /// </summary>
        public static PromptMethodSpec Parse(IMethodSymbol method, AttributeData attribute, List<ParseDiagnostic>? diagnostics, CancellationToken cancellationToken)
        {
            var problems = new Problems(method, attribute, diagnostics, cancellationToken);
            var declarations = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().ToList();
            var canImplement = CheckDeclaration(method, declarations, problems);
            var typeFacts = TypeFacts.Of(method.ContainingType, cancellationToken);
            foreach (var type in typeFacts.NotPartial)
            {
                problems.Report(PromptProblem.TypeMustBePartial, type.Locations.FirstOrDefault(), type.Name, method.Name);
                canImplement = false;
            }

            var shape = CheckReturn(method, declarations, problems);
            var parameters = ReadParameters(method, problems, ref canImplement);
            var clientAccess = FindClient(method, parameters, problems, cancellationToken);
            var settings = PromptSettings.Read(attribute);
            var resolved = Resolve(settings, problems);
            var system = ParseTemplate("System", settings.System, method, problems);
            var user = ParseTemplate("User", settings.User, method, problems);
            CheckPlaceholders(method, settings, parameters, system, user, problems);
            CheckConflicts(method.Name, settings, resolved, shape, parameters, problems);

            var range = ReadRange(method.Name, settings, shape, problems);
            var (labels, instruction) = Instruction(shape, range);
            var maxOutputTokens = settings.MaxTokens > 0 ? settings.MaxTokens : PromptTasks.GetMaxOutputTokens(resolved.Task);
            var lengthGuidance = LengthSentence(method.Name, settings, resolved, shape, maxOutputTokens, problems);
            return new PromptMethodSpec(
                Emit: !canImplement ? EmitKind.Nothing : problems.HasErrors ? EmitKind.Stub : EmitKind.Body,
                TypeKey: typeFacts.TypeKey,
                Namespace: typeFacts.Namespace,
                ContainingTypes: typeFacts.Containing,
                MethodName: method.Name,
                Accessibility: SymbolFacts.AccessibilityText(method.DeclaredAccessibility),
                IsStatic: method.IsStatic,
                ReturnTypeDisplay: SymbolFacts.Display(method.ReturnType),
                Async: shape.Async,
                Kind: shape.Kind,
                WrapsPromptResult: shape.WrapsPromptResult,
                ValueTypeDisplay: shape.Value is null ? "string" : SymbolFacts.Display(shape.Value),
                Parameters: new EquatableArray<ParameterSpec>(parameters),
                ClientAccess: clientAccess,
                PromptId: PromptId(method, typeFacts, parameters),
                SystemTemplate: settings.System,
                UserTemplate: settings.User,
                Task: resolved.Task,
                TierMember: resolved.TierMember,
                CacheTtl: resolved.CacheTtl,
                MaxOutputTokens: maxOutputTokens,
                MaxTokensSetting: settings.MaxTokens,
                TemperatureLiteral: double.IsNaN(settings.Temperature) ? null : ((float)settings.Temperature).ToString("R", CultureInfo.InvariantCulture) + "f",
                SemanticThresholdLiteral: double.IsNaN(settings.SemanticThreshold) ? null : settings.SemanticThreshold.ToString("R", CultureInfo.InvariantCulture) + "d",
                TruncationMember: resolved.TruncationMember,
                MaxInputTokens: settings.MaxInputTokens,
                System: new EquatableArray<TemplatePart>(system),
                User: new EquatableArray<TemplatePart>(user),
                Instruction: instruction,
                EnumLabels: labels,
                LengthGuidance: lengthGuidance,
                RangeMinLiteral: range is { } r1 ? DoubleLiteral(r1.Min) : null,
                RangeMaxLiteral: range is { } r2 ? DoubleLiteral(r2.Max) : null,
                Deferrable: settings.Deferrable);
        }

        /// <summary>Partial, without a body of its own: false when no implementation part can be written.</summary>
        private static bool CheckDeclaration(IMethodSymbol method, List<MethodDeclarationSyntax> declarations, Problems problems)
        {
            if (!declarations.Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                problems.Report(PromptProblem.MustBePartial, null, method.Name);
                return false;
            }

            if (declarations.Any(d => d.Body is not null || d.ExpressionBody is not null)
                || (method.PartialImplementationPart is { } implementation && !IsGenerated(implementation)))
            {
                problems.Report(PromptProblem.HasBody, null, method.Name);
                return false;
            }

            if (method.IsGenericMethod)
            {
                problems.Report(PromptProblem.UnsupportedReturnType, null, method.Name, "a generic method (type parameters)");
                return false;
            }

            return true;
        }

        private static ReturnShape CheckReturn(IMethodSymbol method, List<MethodDeclarationSyntax> declarations, Problems problems)
        {
            var shape = ReturnShape.Of(method.ReturnType);
            if (!shape.IsSupported)
            {
                problems.Report(PromptProblem.UnsupportedReturnType, declarations.FirstOrDefault()?.ReturnType.GetLocation(), method.Name, method.ReturnType.ToDisplayString());
            }

            return shape;
        }

        private static List<ParameterSpec> ReadParameters(IMethodSymbol method, Problems problems, ref bool canImplement)
        {
            var parameters = new List<ParameterSpec>(method.Parameters.Length);
            foreach (var p in method.Parameters)
            {
                var location = p.Locations.FirstOrDefault();
                if (p.RefKind != RefKind.None || p.IsParams)
                {
                    problems.Report(PromptProblem.UnsupportedParameter, location, p.Name, method.Name, p.IsParams ? "'params'" : "'" + p.RefKind.ToString().ToLowerInvariant() + "'");
                    canImplement = false; // the stub would have to repeat the modifier; the compiler's own error is enough here
                }

                bool scope = false, enumeratorCancellation = false;
                var maxInput = 0;
                foreach (var a in p.GetAttributes())
                {
                    var c = a.AttributeClass;
                    if (SymbolFacts.IsNamed(c, "CacheScopeAttribute", "PromptOps"))
                    {
                        scope = true;
                    }
                    else if (SymbolFacts.IsNamed(c, "EnumeratorCancellationAttribute", "System", "Runtime", "CompilerServices"))
                    {
                        enumeratorCancellation = true;
                    }
                    else if (SymbolFacts.IsNamed(c, "MaxInputTokensAttribute", "PromptOps") && a.ConstructorArguments.Length == 1 && a.ConstructorArguments[0].Value is int n)
                    {
                        if (n <= 0) problems.Report(PromptProblem.InvalidSetting, location, $"[MaxInputTokens({n})] on '{p.Name}' must be positive");
                        maxInput = n;
                    }
                }

                parameters.Add(new ParameterSpec(
                    Name: SymbolFacts.EscapeIdentifier(p.Name),
                    TypeDisplay: SymbolFacts.Display(p.Type),
                    IsString: p.Type.SpecialType == SpecialType.System_String,
                    IsCancellationToken: SymbolFacts.IsNamed(p.Type, "CancellationToken", "System", "Threading"),
                    IsCacheScope: scope,
                    MaxInputTokens: maxInput,
                    IsChatClient: method.IsStatic && p.Ordinal == 0 && ChatClientSources.IsChatClient(p.Type),
                    HasEnumeratorCancellation: enumeratorCancellation));
            }

            return parameters;
        }

        /// <summary>The expression the body calls: the first parameter of a static method, else the type's one IChatClient.</summary>
        private static string? FindClient(IMethodSymbol method, List<ParameterSpec> parameters, Problems problems, CancellationToken cancellationToken)
        {
            if (method.IsStatic)
            {
                if (parameters.Count > 0 && parameters[0].IsChatClient) return parameters[0].Name;
                problems.Report(PromptProblem.NoChatClient, null, method.Name, method.ContainingType.Name);
                return null;
            }

            var sources = ChatClientSources.Of(method.ContainingType, cancellationToken);
            if (sources.Count == 1) return sources[0].Access;
            if (sources.Count == 0) problems.Report(PromptProblem.NoChatClient, null, method.Name, method.ContainingType.Name);
            else problems.Report(PromptProblem.SeveralChatClients, null, method.Name, string.Join(", ", sources.Select(s => "'" + s.Name + "'")), method.ContainingType.Name);
            return null;
        }

        /// <summary>The settings checked against the knowledge tables: canonical task, tier member and TTL name.</summary>
        private static ResolvedSettings Resolve(PromptSettings settings, Problems problems)
        {
            var resolved = new ResolvedSettings { Task = settings.Task };
            if (settings.Task is not null)
            {
                if (PromptTasks.TryGet(settings.Task, out var task)) resolved.Task = task.Name;
                else problems.Report(PromptProblem.UnknownTask, problems.AttributeLocation, settings.Task, PromptTasks.ValidNames);
            }

            if (settings.CacheTtl is not null)
            {
                if (CacheTtl.TryParse(settings.CacheTtl, out var ttl, out var error))
                {
                    resolved.CacheTtl = ttl.Name;
                    resolved.TtlIsNone = ttl.IsNone;
                }
                else
                {
                    problems.Report(PromptProblem.InvalidCacheTtl, problems.AttributeLocation, "CacheTtl: " + error);
                }
            }

            if (settings.Tier is not null)
            {
                if (ModelTiers.TryParse(settings.Tier, out var tier)) resolved.TierMember = tier.ToString();
                else problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, $"Tier '{settings.Tier}' is not a tier; use one of: {ModelTiers.ValidNames}");
            }

            if (settings.MaxTokens < 0)
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, $"MaxTokens must be positive (or 0 for the task default), but is {settings.MaxTokens}");
            }

            if (settings.MaxInputTokens < 0)
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, $"MaxInputTokens must be positive (or 0 for no limit), but is {settings.MaxInputTokens}");
            }

            var temperature = settings.Temperature;
            if (!double.IsNaN(temperature) && (temperature < 0 || temperature > 2))
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, "Temperature must be between 0 and 2, but is " + temperature.ToString(CultureInfo.InvariantCulture));
            }

            var threshold = settings.SemanticThreshold;
            if (!double.IsNaN(threshold) && !(threshold > 0 && threshold <= 1))
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, "SemanticThreshold must be in (0, 1] (a cosine similarity), but is " + threshold.ToString(CultureInfo.InvariantCulture));
            }

            if (settings.OnTruncation is not null)
            {
                resolved.TruncationMember = TruncationMember(settings.OnTruncation);
                if (resolved.TruncationMember is null)
                {
                    problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation,
                        $"OnTruncation '{settings.OnTruncation}' is not a truncation policy; use one of: {TruncationPolicyNames}");
                }
            }

            return resolved;
        }

        /// <summary>
        /// The length guidance of a free-text result (<c>Answer in at most N words.</c>, <c>N文字以内で答えてください。</c>): the
        /// <c>Length</c> setting when given (<c>""</c>: none), else the task's length at the method's output limit; in the
        /// prompt's language (Japanese when a template has kana). Null for typed results and tasks without a stated length.
        /// </summary>
        private static string? LengthSentence(string methodName, PromptSettings settings, ResolvedSettings resolved, ReturnShape shape, int maxOutputTokens, Problems problems)
        {
            var japanese = LengthGuidance.IsJapanese(settings.System) || LengthGuidance.IsJapanese(settings.User);
            var explicitLength = settings.Length is { } l && l.Trim().Length > 0;
            if (shape.Kind is not (ResultKind.Text or ResultKind.Stream))
            {
                if (explicitLength)
                {
                    problems.Report(PromptProblem.ConflictingSettings, problems.AttributeLocation,
                        $"Length of '{methodName}' has no effect because its result is read as a value, not free text; remove Length");
                }

                return null;
            }

            PromptLength length;
            if (settings.Length is null)
            {
                if (!PromptTasks.TryGet(resolved.Task, out var task) || LengthGuidance.ForTask(task, japanese, maxOutputTokens) is not { } fromTask) return null;
                length = fromTask;
            }
            else if (!explicitLength)
            {
                return null;
            }
            else if (!LengthGuidance.TryParse(settings.Length, out length, out var error))
            {
                problems.Report(PromptProblem.InvalidLength, problems.AttributeLocation, error!);
                return null;
            }
            else if (japanese != (length.Unit == LengthUnit.Characters))
            {
                problems.Report(PromptProblem.InvalidLength, problems.AttributeLocation, japanese
                    ? $"Length '{settings.Length}' is in {length.Unit.ToString().ToLowerInvariant()}, but the prompt is Japanese; state it in characters ('{length.Count}文字')"
                    : $"Length '{settings.Length}' is in characters, which is for Japanese prompts; use words or sentences");
                return null;
            }

            if (!LengthGuidance.Fits(length, maxOutputTokens))
            {
                var tokens = LengthGuidance.EstimateTokens(length);
                problems.Report(PromptProblem.LengthDoesNotFit, problems.AttributeLocation, length.ToString(), methodName,
                    tokens.ToString(CultureInfo.InvariantCulture), maxOutputTokens.ToString(CultureInfo.InvariantCulture),
                    ((int)Math.Ceiling(tokens * LengthGuidance.Margin)).ToString(CultureInfo.InvariantCulture));
            }

            return LengthGuidance.Sentence(length);
        }

        private static string DoubleLiteral(double d) =>
            double.IsNegativeInfinity(d) ? "double.NegativeInfinity" : double.IsPositiveInfinity(d) ? "double.PositiveInfinity" : d.ToString("R", CultureInfo.InvariantCulture) + "d";

        /// <summary>The policies <c>OnTruncation</c> accepts (members of <c>PromptOps.TruncationPolicy</c>).</summary>
        public const string TruncationPolicyNames = "return, throw, retry";

        /// <summary>The <c>TruncationPolicy</c> member for an <c>OnTruncation</c> value (ignoring case and surrounding spaces), or null.</summary>
        private static string? TruncationMember(string value)
        {
            switch (value.Trim().ToLowerInvariant())
            {
                case "return": return "Return";
                case "throw": return "Throw";
                case "retry": return "Retry";
                default: return null;
            }
        }

        private static List<TemplatePart> ParseTemplate(string which, string? template, IMethodSymbol method, Problems problems)
        {
            if (template is null) return new List<TemplatePart>();
            if (TemplateParser.TryParse(template, out var parts, out var error, out var position)) return parts;
            problems.Report(PromptProblem.MalformedTemplate, problems.AttributeLocation, which, method.Name, error!, position);
            return new List<TemplatePart>();
        }

        /// <summary>Every placeholder names a parameter; every plain parameter is used (or is a cache scope).</summary>
        private static void CheckPlaceholders(IMethodSymbol method, PromptSettings settings, List<ParameterSpec> parameters, List<TemplatePart> system, List<TemplatePart> user, Problems problems)
        {
            if (settings.System is null && settings.User is null) problems.Report(PromptProblem.EmptyPrompt, problems.AttributeLocation, method.Name);

            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (which, parts) in new[] { ("System", system), ("User", user) })
            {
                foreach (var part in parts.Where(p => p.IsParameter))
                {
                    used.Add(part.Text);
                    var match = parameters.FirstOrDefault(p => p.Name.TrimStart('@') == part.Text);
                    if (match is null || match.IsCancellationToken || match.IsChatClient)
                    {
                        problems.Report(PromptProblem.UnknownPlaceholder, problems.AttributeLocation, which, part.Text, method.Name);
                    }
                }
            }

            for (var i = 0; i < parameters.Count; i++)
            {
                var spec = parameters[i];
                if (spec.IsCancellationToken || spec.IsChatClient || spec.IsCacheScope || used.Contains(method.Parameters[i].Name)) continue;
                problems.Report(PromptProblem.UnusedParameter, method.Parameters[i].Locations.FirstOrDefault(), method.Parameters[i].Name, method.Name);
            }
        }

        private static void CheckConflicts(string methodName, PromptSettings settings, ResolvedSettings resolved, ReturnShape shape, List<ParameterSpec> parameters, Problems problems)
        {
            if (resolved.TtlIsNone && !double.IsNaN(settings.SemanticThreshold))
            {
                problems.Report(PromptProblem.ConflictingSettings, problems.AttributeLocation,
                    $"SemanticThreshold of '{methodName}' has no effect because CacheTtl is 'none'; remove SemanticThreshold or set a TTL");
            }

            if (resolved.TtlIsNone && parameters.Any(p => p.IsCacheScope))
            {
                problems.Report(PromptProblem.ConflictingSettings, problems.AttributeLocation,
                    $"[CacheScope] parameters of '{methodName}' have no effect because CacheTtl is 'none'; remove [CacheScope] or set a TTL");
            }

            if (shape.Async == AsyncKind.AsyncEnumerable && (resolved.Task is "classification" or "sentiment" or "yes_no"))
            {
                problems.Report(PromptProblem.ConflictingSettings, problems.AttributeLocation,
                    $"'{methodName}' streams text, but task '{resolved.Task}' expects a one-word answer; return Task<string>, Task<bool> or an enum instead");
            }
        }

        /// <summary>The instruction appended to the system prompt for typed results, and an enum's labels.</summary>
        /// <summary>
        /// <c>[Prompt(Minimum = …, Maximum = …)]</c> on a number method: the reply must be in [min, max] (an unset end is open);
        /// the prompt says so, and a reply outside is escalated, then <c>PromptReplyException</c>.
        /// </summary>
        private static (double Min, double Max)? ReadRange(string methodName, PromptSettings settings, ReturnShape shape, Problems problems)
        {
            if (double.IsNaN(settings.Minimum) && double.IsNaN(settings.Maximum)) return null;
            if (shape.Kind != ResultKind.Number)
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation, $"Minimum and Maximum of '{methodName}' apply to number results only");
                return null;
            }

            var min = double.IsNaN(settings.Minimum) ? double.NegativeInfinity : settings.Minimum;
            var max = double.IsNaN(settings.Maximum) ? double.PositiveInfinity : settings.Maximum;
            if (min > max)
            {
                problems.Report(PromptProblem.InvalidSetting, problems.AttributeLocation,
                    $"Minimum {min.ToString(CultureInfo.InvariantCulture)} of '{methodName}' is above its Maximum {max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }

            return (min, max);
        }

        private static (EquatableArray<EnumLabel> Labels, string? Instruction) Instruction(ReturnShape shape, (double Min, double Max)? range)
        {
            switch (shape.Kind)
            {
                case ResultKind.Enum when shape.IsSupported && shape.Value is INamedTypeSymbol enumType:
                    var facts = EnumFacts.Of(enumType);
                    return (facts.Labels, facts.Instruction);
                case ResultKind.Bool:
                    return (EquatableArray<EnumLabel>.Empty, "Answer yes or no.");
                case ResultKind.Number:
                    return (EquatableArray<EnumLabel>.Empty, range is not { } r ? "Answer with a number only."
                        : double.IsNegativeInfinity(r.Min) ? "Answer with a number of at most " + r.Max.ToString(CultureInfo.InvariantCulture) + " only."
                        : double.IsPositiveInfinity(r.Max) ? "Answer with a number of at least " + r.Min.ToString(CultureInfo.InvariantCulture) + " only."
                        : "Answer with a number from " + r.Min.ToString(CultureInfo.InvariantCulture) + " to " + r.Max.ToString(CultureInfo.InvariantCulture) + " only.");
                default:
                    return (EquatableArray<EnumLabel>.Empty, null);
            }
        }

        /// <summary>
        /// <c>Namespace.Type.Method</c>; an overloaded name adds the parameter types, <c>Type.Method(string, int)</c>, so
        /// overloads never share a prompt id (nor, through it, cached answers or ledger rows).
        /// </summary>
        private static string PromptId(IMethodSymbol method, TypeFacts type, List<ParameterSpec> parameters)
        {
            var id = type.PromptIdPrefix + method.Name;
            var overloads = 0;
            foreach (var member in method.ContainingType.GetMembers(method.Name))
            {
                if (member is IMethodSymbol) overloads++;
            }

            return overloads <= 1 ? id : id + "(" + string.Join(", ", parameters.Select(p => p.TypeDisplay.Replace("global::", string.Empty))) + ")";
        }

        /// <summary>True for the implementation part written by this generator.</summary>
        private static bool IsGenerated(IMethodSymbol method) =>
            method.DeclaringSyntaxReferences.Any(r => r.SyntaxTree.FilePath.EndsWith(".PromptOps.g.cs", StringComparison.Ordinal));

        private sealed class ResolvedSettings
        {
            public string? Task { get; set; }

            public string? TierMember { get; set; }

            public string? CacheTtl { get; set; }

            public bool TtlIsNone { get; set; }

            public string? TruncationMember { get; set; }
        }

        /// <summary>Where problems are reported, and whether any of them is an error.</summary>
        private sealed class Problems
        {
            private readonly List<ParseDiagnostic>? _diagnostics;
            private readonly AttributeData _attribute;
            private readonly CancellationToken _cancellationToken;
            private readonly Location? _methodLocation;
            private Location? _attributeLocation;

            public Problems(IMethodSymbol method, AttributeData attribute, List<ParseDiagnostic>? diagnostics, CancellationToken cancellationToken)
            {
                _diagnostics = diagnostics;
                _attribute = attribute;
                _cancellationToken = cancellationToken;
                _methodLocation = method.Locations.FirstOrDefault();
            }

            public bool HasErrors { get; private set; }

            /// <summary>The attribute's syntax (found only when a problem is reported there).</summary>
            public Location? AttributeLocation => _attributeLocation ??= _attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation() ?? _methodLocation;

            /// <summary>Records a problem at <paramref name="location"/> (the method's name when null).</summary>
            public void Report(PromptProblem problem, Location? location, params object[] args)
            {
                if (ParseDiagnostic.IsError(problem)) HasErrors = true;
                _diagnostics?.Add(new ParseDiagnostic(problem, location ?? _methodLocation, args));
            }
        }
    }
}
