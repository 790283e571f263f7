using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Rules
{
    /// <summary>
    /// PO0002 and PO0003 on Anthropic's official SDK: the request <c>new MessageCreateParams { MaxTokens = …, Model = …, … }</c>
    /// (<c>Anthropic.Models.Messages</c>, and the beta Messages API's twin) that <c>client.Messages.Create</c> /
    /// <c>CreateStreaming</c> send. Its <c>MaxTokens</c> is required, so a missing limit cannot happen; what costs money is a
    /// limit copied from an example (1024, 4096, 8192) on a prompt that asks for a word or a sentence:
    /// <list type="bullet">
    /// <item>PO0002 when the prompt written in the request (its <c>System</c> text, its user and system messages — strings or
    /// text blocks) states a length
    /// (<see cref="OutputLengthHint"/>: "one word", "in 10 words", "two sentences", "a JSON object") and the constant
    /// <c>MaxTokens</c> is more than <see cref="LooseFactor"/> times that length and at least <see cref="LooseMargin"/> tokens
    /// above it. A prompt that states no length is not judged (no task is inferred from its wording).</item>
    /// <item>PO0003 when a constant <c>Model</c> (a string or a <c>Model</c> member) is a catalogue model above the cheapest
    /// current Claude's tier (<see cref="AnthropicModels.Cheapest"/>) on a request whose <c>MaxTokens</c> is at most
    /// <c>promptops.simple_task_max_output_tokens</c> (a label, a yes/no). The cheaper model offered is Anthropic's own: this
    /// client cannot reach another provider's.</item>
    /// </list>
    /// The SDK's <c>IChatClient</c> (<c>client.AsIChatClient(model)</c>) is judged as any <c>IChatClient</c>
    /// (<see cref="MissingOutputLimitAnalyzer"/>, <see cref="ExpensiveModelAnalyzer"/>).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class AnthropicMessagesAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>A constant <c>MaxTokens</c> above this many times the prompt's stated length is loose.</summary>
        public const int LooseFactor = 4;

        /// <summary>…and at least this many tokens above it (a few tokens of slack cost nothing worth a warning).</summary>
        public const int LooseMargin = 100;

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.LooseOutputLimit, Descriptors.ExpensiveModel);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.HasAnthropic) return;
                FilteredOperations.RegisterObjectCreations(start, name => name == "MessageCreateParams", c => FilteredOperations.Assigns(c, "MaxTokens"),
                    (creation, ctx) => Analyze(creation, ctx, apis));
            });
        }

        private static void Analyze(IObjectCreationOperation creation, SyntaxNodeAnalysisContext context, KnownApis apis)
        {
            if (!apis.IsAnthropicRequest(creation.Type) || creation.Initializer is null) return;
            IOperation? maxTokens = null, modelValue = null, system = null, messages = null;
            foreach (var assignment in creation.Initializer.Initializers.OfType<ISimpleAssignmentOperation>())
            {
                if (assignment.Target is not IPropertyReferenceOperation property) continue;
                switch (property.Property.Name)
                {
                    case "MaxTokens": maxTokens = assignment.Value; break;
                    case "Model": modelValue = assignment.Value; break;
                    case "System": system = assignment.Value; break;
                    case "Messages": messages = assignment.Value; break;
                }
            }

            if (maxTokens is null || !TryGetLong(maxTokens, out var limit) || limit <= 0) return; // 0 pre-warms the prompt cache: nothing is generated
            var typeName = creation.Type!.Name;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, creation.Syntax.SyntaxTree);

            var hint = OutputLengthHint.FromPrompt(PromptTexts(system, messages));
            if (hint is not null && limit > (long)hint.Tokens * LooseFactor && limit >= hint.Tokens + LooseMargin)
            {
                var properties = ImmutableDictionary<string, string?>.Empty
                    .Add(MissingOutputLimitAnalyzer.KindKey, MissingOutputLimitAnalyzer.KindReplaceValue)
                    .Add(MissingOutputLimitAnalyzer.PropertyKey, "MaxTokens")
                    .Add(MissingOutputLimitAnalyzer.SuggestedKey, hint.Tokens.ToString(CultureInfo.InvariantCulture))
                    .Add(MissingOutputLimitAnalyzer.ReasonKey, hint.Reason);
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.LooseOutputLimit, Unwrap(maxTokens).Syntax.GetLocation(), properties,
                    "This " + typeName, "MaxTokens", limit, (double)limit / hint.Tokens, hint.Tokens, hint.Reason));
            }

            if (limit <= settings.SimpleTaskMaxOutputTokens && modelValue is not null && ModelId(modelValue) is { } model)
            {
                var info = CallModel.PriceOf(model);
                var cheapTier = DefaultPrices.All.First(p => p.Model == AnthropicModels.Cheapest).Tier;
                if (info?.Tier is not { } tier || cheapTier is null || tier <= cheapTier.Value) return;
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.ExpensiveModel, Unwrap(modelValue).Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add("kind", "ReplaceModel").Add(ExpensiveModelAnalyzer.ReplacementKey, AnthropicModels.Cheapest),
                    "This " + typeName, model, ModelTiers.GetName(tier), "short (≤ " + limit.ToString(CultureInfo.InvariantCulture) + " output tokens)",
                    "cheapest Claude", AnthropicModels.Cheapest, PromptCostAnalyzer.PriceRatio(info.Model, AnthropicModels.Cheapest)));
            }
        }

        /// <summary>
        /// The model id of a constant <c>Model</c> value: a string (<c>"claude-opus-4-6"</c>, through the SDK's implicit
        /// conversion) or a member of the SDK's <c>Model</c> enum (<c>Model.ClaudeOpus4_6</c>); null otherwise.
        /// </summary>
        /// <summary>The model id of an Anthropic request's constant <c>Model</c> (<see cref="ModelId"/>), or null.</summary>
        internal static string? RequestModel(IObjectCreationOperation request) =>
            request.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Model" }) is { } model ? ModelId(model.Value) : null;

        internal static string? ModelId(IOperation value)
        {
            value = Unwrap(value);
            if (value.ConstantValue is { HasValue: true, Value: string id }) return string.IsNullOrWhiteSpace(id) ? null : id;
            if (value is IFieldReferenceOperation { Field: { ContainingType: { TypeKind: TypeKind.Enum, Name: "Model" } enumType } field }
                && KnownApis.IsInAnthropicSdk(enumType))
            {
                return AnthropicModels.IdOfMember(field.Name);
            }

            return null;
        }

        /// <summary>The constant text of the request's system prompt and of its user messages (strings and text blocks).</summary>
        private static IEnumerable<string?> PromptTexts(IOperation? system, IOperation? messages)
        {
            if (system is not null)
            {
                var text = Unwrap(system);
                if (text.Type?.SpecialType == SpecialType.System_String) yield return ConstantText.Of(text);
                else foreach (var block in TextBlocks(text)) yield return block;
            }

            if (messages is null) yield break;
            // The SDK's message union is made from UserMessageParam / AssistantMessageParam / SystemMessageParam (and their Beta
            // twins); an assistant turn (or prefill) is not what the user asks for.
            foreach (var message in Unwrap(messages).DescendantsAndSelf().OfType<IObjectCreationOperation>().Where(c => IsUserOrSystemMessage(c.Type)))
            {
                IOperation? content = message.Arguments.Length >= 1 ? message.Arguments[0].Value : null;
                var assigned = message.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                    .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Content" });
                if (assigned is not null) content = assigned.Value;
                if (content is null) continue;
                content = Unwrap(content);
                if (content.Type?.SpecialType == SpecialType.System_String) yield return ConstantText.Of(content);
                else foreach (var block in TextBlocks(content)) yield return block;
            }
        }

        private static bool IsUserOrSystemMessage(ITypeSymbol? type) =>
            type?.Name is "UserMessageParam" or "SystemMessageParam" or "BetaUserMessageParam" or "BetaSystemMessageParam"
            && KnownApis.IsInAnthropicSdk(type);

        /// <summary>The texts of the SDK's <c>TextBlockParam</c>s in <paramref name="operation"/>: <c>new TextBlockParam("…")</c> or <c>{ Text = "…" }</c>.</summary>
        private static IEnumerable<string?> TextBlocks(IOperation operation)
        {
            foreach (var block in operation.DescendantsAndSelf().OfType<IObjectCreationOperation>().Where(c => c.Type?.Name is "TextBlockParam" or "BetaTextBlockParam"))
            {
                if (block.Arguments.Length >= 1 && block.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String) yield return ConstantText.Of(block.Arguments[0].Value);
                var text = block.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                    .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Text" });
                if (text is not null) yield return ConstantText.Of(text.Value);
            }
        }

        private static bool TryGetLong(IOperation value, out long result)
        {
            result = 0;
            var constant = value.ConstantValue.HasValue ? value.ConstantValue : Unwrap(value).ConstantValue;
            if (!constant.HasValue || constant.Value is null) return false;
            switch (constant.Value)
            {
                case long l: result = l; return true;
                case int i: result = i; return true;
                default: return false;
            }
        }

        private static IOperation Unwrap(IOperation operation) => SystemMessages.Unwrap(operation);
    }
}
