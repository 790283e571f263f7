using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using PromptOps.Generators.Emitting;
using PromptOps.Generators.Model;
using PromptOps.Generators.Parsing;

namespace PromptOps.Generators
{
    /// <summary>
    /// Writes the bodies of <c>[Prompt]</c> partial methods. It stays silent: <see cref="PromptMethodAnalyzer"/> (same
    /// parser) reports what is wrong, and a method with errors gets a body that throws (when its declaration can take
    /// one), so the build shows the PO1xxx error rather than the compiler's "must have an implementation part".
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class PromptGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps (asserted by the incremental tests).</summary>
        public static class TrackingNames
        {
            public const string Methods = "PromptOps.Methods";
            public const string Valid = "PromptOps.Valid";
            public const string Collected = "PromptOps.Collected";
            public const string ByType = "PromptOps.ByType";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var methods = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    PromptMethodParser.PromptAttributeName,
                    static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
                    static (ctx, ct) => ctx.TargetSymbol is IMethodSymbol method && ctx.Attributes.Length > 0
                        ? PromptMethodParser.Parse(method, ctx.Attributes[0], diagnostics: null, ct)
                        : null)
                .WithTrackingName(TrackingNames.Methods);

            var valid = methods
                .Where(static spec => spec is not null && spec.Emit != EmitKind.Nothing)
                .Select(static (spec, _) => spec!)
                .WithTrackingName(TrackingNames.Valid);

            var byType = valid
                .Collect()
                .WithTrackingName(TrackingNames.Collected)
                .SelectMany(static (specs, _) => Group(specs))
                .WithTrackingName(TrackingNames.ByType);

            context.RegisterSourceOutput(byType, static (spc, group) =>
                spc.AddSource(PromptEmitter.HintName(group[0].TypeKey), PromptEmitter.Emit(group.ToList())));
        }

        private static ImmutableArray<EquatableArray<PromptMethodSpec>> Group(ImmutableArray<PromptMethodSpec> specs) =>
            specs.GroupBy(s => s.TypeKey)
                 .OrderBy(g => g.Key, System.StringComparer.Ordinal)
                 .Select(g => new EquatableArray<PromptMethodSpec>(g.ToImmutableArray()))
                 .ToImmutableArray();
    }
}
