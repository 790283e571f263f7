using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// The rules that read a <c>[Prompt]</c> declaration: PO0003 (an explicit Tier above the task's), PO0004 (personal data
    /// in a shared cache), PO0005 (a leading placeholder ahead of static text), PO0006 (unbounded string input) and
    /// PO0008 (the cost estimate hint). One symbol pass serves all five; each rule stays in its own method.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PromptCostAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the parameter name (PO0004, PO0006).</summary>
        public const string ParameterKey = "parameter";
        /// <summary>Diagnostic property: the suggested input limit (PO0006).</summary>
        public const string LimitKey = "limit";

        private static readonly Regex PersonalData = new Regex(
            "^(e?-?mail(address)?|.*email.*|phone(number)?|.*phone.*|mobile(number)?|tel(ephone)?|user(id|name)?|customer(id|name)?|client(id|name)?|account(id|number)?|" +
            "member(id)?|employee(id)?|patient(id)?|person(id)?|address|.*address|street|zip(code)?|postal(code)?|name|first_?name|last_?name|full_?name|sur_?name|given_?name|" +
            "birth.*|.*birthday|date_?of_?birth|dob|age|ssn|social_?security.*|passport.*|national_?id|tax_?id|credit_?card.*|card_?number|iban|ip(address)?|location)$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.ExpensiveModel, Descriptors.PersonalDataInSharedCache, Descriptors.CacheUnfriendlyLayout, Descriptors.UnboundedInput, Descriptors.CostEstimate);

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
                    if (prompt is null) return;
                    var settings = AnalyzerSettings.For(ctx.Options.AnalyzerConfigOptionsProvider, prompt.Syntax.SyntaxTree);
                    ExpensiveTier(ctx, prompt);
                    PersonalDataInCache(ctx, prompt);
                    LeadingDynamicValue(ctx, prompt, settings);
                    UnboundedInput(ctx, prompt, settings);
                    CostEstimate(ctx, prompt, settings);
                }, SymbolKind.Method);
            });
        }

        private static void ExpensiveTier(SymbolAnalysisContext context, PromptDeclaration prompt)
        {
            if (prompt.ExplicitTier is not { } tier || !PromptTasks.TryGet(prompt.Spec.Task, out var task) || tier <= task.Tier) return;
            var argument = prompt.Argument("Tier");
            if (argument is null) return;
            var model = ModelTiers.GetDefaultModel(tier);
            var cheap = ModelTiers.GetDefaultModel(task.Tier);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, argument.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add("kind", "RemoveTier"),
                "[Prompt] '" + prompt.Method.Name + "'", model, ModelTiers.GetName(tier), task.Name, ModelTiers.GetName(task.Tier), cheap, PriceRatio(model, cheap)));
        }

        private static void PersonalDataInCache(SymbolAnalysisContext context, PromptDeclaration prompt)
        {
            if (!prompt.IsCached) return;
            foreach (var (spec, parameter) in prompt.Parameters)
            {
                if (spec.IsCancellationToken || spec.IsChatClient || spec.IsCacheScope) continue;
                if (!PersonalData.IsMatch(parameter.Name)) continue;
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.PersonalDataInSharedCache, parameter.Locations.FirstOrDefault(),
                    ImmutableDictionary<string, string?>.Empty.Add(ParameterKey, parameter.Name), parameter.Name, prompt.Method.Name));
            }
        }

        private static void LeadingDynamicValue(SymbolAnalysisContext context, PromptDeclaration prompt, AnalyzerSettings settings)
        {
            // The first message is System when there is one, else User.
            var (name, template) = prompt.Spec.SystemTemplate is not null ? ("System", prompt.Spec.System) : ("User", prompt.Spec.User);
            var split = PromptDeclaration.SplitAtFirstPlaceholder(template);
            if (split is null) return;
            var (before, leading, after) = split.Value;
            if (TokenCounter.Count(before) >= settings.MinCacheablePrefixTokens) return; // a cacheable prefix exists already
            var staticTokens = TokenCounter.Count(after);
            if (staticTokens < settings.MinCacheablePrefixTokens) return;
            var argument = prompt.Argument(name);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.CacheUnfriendlyLayout, (argument ?? (Microsoft.CodeAnalysis.SyntaxNode)prompt.Syntax).GetLocation(),
                name + " template of '" + prompt.Method.Name + "'", "{" + leading + "}", staticTokens));
        }

        private static void UnboundedInput(SymbolAnalysisContext context, PromptDeclaration prompt, AnalyzerSettings settings)
        {
            if (prompt.Spec.MaxInputTokens > 0) return; // the whole prompt is bounded
            var used = prompt.Placeholders;
            foreach (var (spec, parameter) in prompt.Parameters)
            {
                if (!spec.IsString || spec.MaxInputTokens > 0 || !used.Contains(parameter.Name)) continue;
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedInput, parameter.Locations.FirstOrDefault(),
                    ImmutableDictionary<string, string?>.Empty.Add(ParameterKey, parameter.Name).Add(LimitKey, settings.DefaultMaxInputTokens.ToString(CultureInfo.InvariantCulture)),
                    parameter.Name, prompt.Method.Name, settings.DefaultMaxInputTokens));
            }
        }

        private static void CostEstimate(SymbolAnalysisContext context, PromptDeclaration prompt, AnalyzerSettings settings)
        {
            var input = TokenCounter.Count(PromptDeclaration.StaticText(prompt.Spec.System)) + TokenCounter.Count(PromptDeclaration.StaticText(prompt.Spec.User));
            var output = prompt.Spec.MaxOutputTokens;
            var model = ModelTiers.GetDefaultModel(prompt.EffectiveTier);
            var price = DefaultPrices.All.First(p => p.Model == model);
            var perCall = price.Cost(input, 0, output);
            var location = prompt.Method.Locations.FirstOrDefault();
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.CostEstimate, location,
                prompt.Method.Name, input, output, model, perCall, perCall * settings.MonthlyRequests, settings.MonthlyRequests));
        }

        internal static double PriceRatio(string expensive, string cheap)
        {
            var e = DefaultPrices.All.FirstOrDefault(p => p.Model == expensive);
            var c = DefaultPrices.All.FirstOrDefault(p => p.Model == cheap);
            return e is null || c is null || c.InputPerMillion == 0 ? 1 : (double)(e.InputPerMillion / c.InputPerMillion);
        }
    }
}
