using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0009: a <c>[Prompt]</c> whose <c>CacheTtl</c> is longer than the short TTL (<c>realtime</c>, 5 minutes) while the
    /// fixed text of its System or User template asks about the present ("today", "latest", 今日, 現在, …) — the same
    /// detector (<see cref="TimeSensitivity"/>) the runtime cache uses on requests. A prompt without <c>CacheTtl</c> is not
    /// reported: its TTL is the application's default, which the analyzer cannot see.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TimeSensitivePromptAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TimeSensitivePromptCachedLong);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var attribute = start.Compilation.GetTypeByMetadataName("PromptOps.PromptAttribute");
                if (attribute is null) return;
                start.RegisterSymbolAction(ctx =>
                {
                    var prompt = PromptDeclaration.TryCreate((IMethodSymbol)ctx.Symbol, attribute, ctx.CancellationToken);
                    if (prompt?.Spec.CacheTtl is not { } name || !CacheTtl.TryParse(name, out var ttl, out _)) return;
                    if (ttl.IsNone || ttl.Duration <= CacheTtl.Realtime.Duration) return;
                    var argument = prompt.Argument("CacheTtl");
                    if (argument is null) return;

                    var (template, marker) = ("System", TimeSensitivity.Default.Find(PromptDeclaration.StaticText(prompt.Spec.System)));
                    if (marker is null) (template, marker) = ("User", TimeSensitivity.Default.Find(PromptDeclaration.StaticText(prompt.Spec.User)));
                    if (marker is null) return;
                    ctx.ReportDiagnostic(Diagnostic.Create(Descriptors.TimeSensitivePromptCachedLong, argument.GetLocation(),
                        ttl.Name, template, prompt.Method.Name, marker));
                }, SymbolKind.Method);
            });
        }
    }
}
