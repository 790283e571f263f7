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
    /// PO0010: a user message built per call (an interpolation or a concatenation with values) whose constant part is more
    /// than <c>promptops.max_user_static_tokens</c> (default 150) exact o200k tokens — an instruction block sent, and billed
    /// in full, with every call, and not a cacheable prefix once a per-call value comes before it. Sources:
    /// <c>new ChatMessage(ChatRole.User, …)</c>, <c>IChatClient.GetResponseAsync("…")</c> / <c>GetStreamingResponseAsync("…")</c>,
    /// the OpenAI SDK's <c>new UserChatMessage(…)</c> and <c>ChatMessage.CreateUserMessage(…)</c>, Semantic Kernel's
    /// <c>ChatHistory.AddUserMessage(…)</c>, Anthropic's SDK's <c>new UserMessageParam(…)</c> (or <c>{ Content = … }</c>, a
    /// string or each text block of a list; priced on the <c>Model</c> of the request it is written in); the text is
    /// followed through a local that is assigned once. A user message
    /// that is constant as a whole (a demo question) is not judged: it is the same request every time. How much of the
    /// message is per-call text cannot be known at build time, so the constant part's size alone decides. No code fix:
    /// moving text between messages changes what the model reads, and where the per-call values go is the author's call.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class StaticInstructionsInUserMessageAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the constant tokens.</summary>
        public const string TokensKey = "tokens";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.StaticInstructionsInUserMessage);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var apis = KnownApis.Create(start.Compilation);
                if (!apis.IsRelevant) return;
                FilteredOperations.RegisterObjectCreations(start, name => name == "ChatMessage" || name == "UserChatMessage", FilteredOperations.HasArguments,
                    (creation, ctx) =>
                    {
                        if (SystemMessages.TextOf(creation, apis, "User", apis.OpenAIUserMessage, null) is { } text) Analyze(text, ctx, apis);
                    });
                if (apis.HasAnthropic)
                {
                    FilteredOperations.RegisterObjectCreations(start, name => name is "UserMessageParam" or "BetaUserMessageParam",
                        c => FilteredOperations.HasArguments(c) || FilteredOperations.Assigns(c, "Content"),
                        (creation, ctx) =>
                        {
                            foreach (var text in AnthropicUserTexts(creation)) Analyze(text, ctx, apis, anthropicMessage: creation);
                        });
                }

                FilteredOperations.RegisterInvocations(start,
                    name => name == "CreateUserMessage" || name == "AddUserMessage" || name == "GetResponseAsync" || name == "GetStreamingResponseAsync",
                    (invocation, ctx) =>
                    {
                        if (UserTextOf(invocation, apis) is { } text) Analyze(text, ctx, apis);
                    });
            });
        }

        private static IOperation? UserTextOf(IInvocationOperation invocation, KnownApis apis)
        {
            var method = invocation.TargetMethod;
            var type = method.ContainingType;
            var isUserFactory = (method.Name == "CreateUserMessage" && apis.OpenAIChatMessage is not null && SymbolEqualityComparer.Default.Equals(type, apis.OpenAIChatMessage))
                                || (method.Name == "AddUserMessage" && apis.SkChatHistory is not null && SymbolEqualityComparer.Default.Equals(type, apis.SkChatHistory));
            var isChatCall = (method.Name == "GetResponseAsync" || method.Name == "GetStreamingResponseAsync") && CallModel.IsChatCall(method, apis);
            if (!isUserFactory && !isChatCall) return null;
            // The string the message is made of: the factory's text, or the chat call's string overload (a user message).
            var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter is { Type.SpecialType: SpecialType.System_String } && a.ArgumentKind != ArgumentKind.DefaultValue);
            return argument?.Value;
        }

        /// <summary>
        /// The texts of Anthropic's <c>new UserMessageParam(content)</c> or <c>{ Content = content }</c>: the string, or each
        /// text block of a list (the SDK's own types only); nothing for anything else.
        /// </summary>
        private static System.Collections.Generic.IEnumerable<IOperation> AnthropicUserTexts(IObjectCreationOperation creation)
        {
            if (creation.Type is not { Name: "UserMessageParam" or "BetaUserMessageParam" } type || !KnownApis.IsInAnthropicSdk(type))
            {
                return [];
            }

            var content = creation.Arguments.Length >= 1 ? creation.Arguments[0].Value
                : creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>().FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Content" })?.Value;
            return content is null ? [] : SystemMessages.AnthropicTextsOf(content);
        }

        /// <summary>The model id of the Anthropic request a message is written in (<c>new MessageCreateParams { Model = … }</c>), or null.</summary>
        private static string? AnthropicRequestModel(IOperation message, KnownApis apis)
        {
            for (var op = message.Parent; op is not null; op = op.Parent)
            {
                if (op is IObjectCreationOperation request && apis.IsAnthropicRequest(request.Type)) return AnthropicMessagesAnalyzer.RequestModel(request);
            }

            return null;
        }

        /// <param name="text">The message's text.</param>
        /// <param name="context">The analysis context.</param>
        /// <param name="apis">The compilation's known APIs.</param>
        /// <param name="anthropicMessage">An Anthropic <c>UserMessageParam</c> the text is in: priced on its request's model
        /// (looked up only for a text that is reported).</param>
        private static void Analyze(IOperation text, SyntaxNodeAnalysisContext context, KnownApis apis, IOperation? anthropicMessage = null)
        {
            var value = SystemMessages.Unwrap(text);
            if (value is ILocalReferenceOperation local) value = InitializerOf(local.Local, value) is { } init ? SystemMessages.Unwrap(init) : value;
            if (value.ConstantValue.HasValue) return; // the same text every call: a fixed request, not an instruction block around per-call data
            var holes = value switch
            {
                IInterpolatedStringOperation interpolated => interpolated.Parts.Count(p => p is IInterpolationOperation),
                IBinaryOperation => value.DescendantsAndSelf().OfType<IBinaryOperation>().Select(b => new[] { b.LeftOperand, b.RightOperand })
                    .SelectMany(x => x).Count(o => o is not IBinaryOperation && !SystemMessages.Unwrap(o).ConstantValue.HasValue),
                _ => 0,
            };
            if (holes == 0) return; // a parameter, a call: nothing constant to see
            var constant = ConstantText.Of(value);
            if (string.IsNullOrWhiteSpace(constant)) return;
            var settings = AnalyzerSettings.For(context.Options.AnalyzerConfigOptionsProvider, text.Syntax.SyntaxTree);
            var tokens = TokenCounter.Count(constant!);
            if (tokens <= settings.MaxUserStaticTokens) return;

            var anthropicModel = anthropicMessage is null ? null : AnthropicRequestModel(anthropicMessage, apis);
            string? named = anthropicModel;
            var callPrice = anthropicModel is not null ? CallModel.PriceOf(anthropicModel) : CallModel.PriceFor(text, apis, context.SemanticModel, out named, context.CancellationToken);

            var (price, modelText) = VerboseSystemPromptAnalyzer.Pricing(callPrice, named, ModelTier.Balanced);
            var monthly = tokens * (decimal)settings.MonthlyRequests * price.InputPerMillion / 1_000_000m;
            var around = " around " + holes.ToString(CultureInfo.InvariantCulture) + (holes == 1 ? " per-call value" : " per-call values");
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.StaticInstructionsInUserMessage, text.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(TokensKey, tokens.ToString(CultureInfo.InvariantCulture)),
                tokens, around, settings.MonthlyRequests, modelText, monthly));
        }

        /// <summary>The initializer of a local never assigned again in its member; null otherwise.</summary>
        private static IOperation? InitializerOf(ILocalSymbol local, IOperation anywhere)
        {
            var root = anywhere;
            while (root.Parent is not null) root = root.Parent;
            IOperation? initializer = null;
            foreach (var op in root.Descendants())
            {
                if (op is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)) initializer = declarator.Initializer?.Value;
                else if (op is IAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, local)) return null;
            }

            return initializer;
        }
    }
}
