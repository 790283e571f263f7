using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0007: the same long system text (at least <c>promptops.min_repeated_prompt_tokens</c>, default 30) written out as a
    /// literal at several call sites — <c>new ChatMessage(ChatRole.System, "…")</c>, <c>new SystemChatMessage("…")</c>,
    /// <c>ChatMessage.CreateSystemMessage("…")</c> or <c>[Prompt(System = "…")]</c>. Copies drift apart (and then no longer
    /// share a provider-cached prefix) and hide their cost; one const keeps both in one place. Sites that already use the
    /// same const are not reported.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RepeatedSystemPromptAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.RepeatedSystemPrompt);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.IsRelevant) return;
                var sites = new ConcurrentBag<(string Text, Location Location, int MinTokens)>();

                FilteredOperations.RegisterObjectCreations(start, FilteredOperations.IsSystemMessageTypeName, FilteredOperations.HasArguments, (creation, ctx) => Add(ctx.Options, SystemMessages.TextOf(creation, apis)));
                FilteredOperations.RegisterInvocations(start, name => name == "CreateSystemMessage", (invocation, ctx) => Add(ctx.Options, SystemMessages.TextOf(invocation, apis)));

                if (apis.PromptAttribute is not null)
                {
                    start.RegisterSyntaxNodeAction(ctx =>
                    {
                        var attribute = (AttributeSyntax)ctx.Node;
                        var system = attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "System");
                        if (system?.Expression is not LiteralExpressionSyntax literal) return; // a const use is the cure, not the disease
                        var prompt = PromptDeclaration.OfAttribute(attribute, ctx.SemanticModel, apis.PromptAttribute, ctx.CancellationToken);
                        if (prompt?.Spec.SystemTemplate is { } text) AddText(ctx.Options, text, literal);
                    }, SyntaxKind.Attribute);
                }

                start.RegisterCompilationEndAction(end =>
                {
                    foreach (var group in sites.GroupBy(s => s.Text))
                    {
                        var list = group.ToList();
                        if (list.Count < 2) continue;
                        var tokens = TokenCounter.Count(group.Key);
                        if (tokens < list.Min(s => s.MinTokens)) continue;
                        foreach (var site in list.OrderBy(s => s.Location.SourceTree?.FilePath).ThenBy(s => s.Location.SourceSpan.Start))
                        {
                            end.ReportDiagnostic(Diagnostic.Create(Descriptors.RepeatedSystemPrompt, site.Location, tokens, list.Count));
                        }
                    }
                });

                void Add(AnalyzerOptions options, IOperation? operation)
                {
                    while (operation is IConversionOperation c) operation = c.Operand;
                    if (operation is ILiteralOperation { ConstantValue.Value: string text } literal) AddText(options, text, literal.Syntax); // a const use is the cure, not the disease
                }

                void AddText(AnalyzerOptions options, string text, SyntaxNode literal)
                {
                    if (text.Length < 40) return;
                    var settings = AnalyzerSettings.For(options.AnalyzerConfigOptionsProvider, literal.SyntaxTree);
                    sites.Add((text, literal.GetLocation(), settings.MinRepeatedPromptTokens));
                }
            });
        }
    }
}
