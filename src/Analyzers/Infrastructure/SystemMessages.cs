using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>Recognises the system-message constructors and factories the rules read prompt text from.</summary>
    internal static class SystemMessages
    {
        /// <summary>
        /// The text argument of <c>new ChatMessage(ChatRole.System, text)</c> (Microsoft.Extensions.AI) or
        /// <c>new SystemChatMessage(text)</c> (OpenAI SDK); null for anything else.
        /// </summary>
        public static IOperation? TextOf(IObjectCreationOperation creation, KnownApis apis) =>
            TextOf(creation, apis, "System", apis.OpenAISystemMessage, null);

        /// <summary>
        /// The text argument of <c>new ChatMessage(ChatRole.{role}, text)</c> (Microsoft.Extensions.AI), or of the single-text
        /// constructor of one of the OpenAI SDK's message types given; null for anything else.
        /// </summary>
        public static IOperation? TextOf(IObjectCreationOperation creation, KnownApis apis, string role, INamedTypeSymbol? openAiType, INamedTypeSymbol? otherOpenAiType)
        {
            var type = creation.Type;
            if (apis.ChatMessage is not null && SymbolEqualityComparer.Default.Equals(type, apis.ChatMessage) && creation.Arguments.Length == 2
                && Unwrap(creation.Arguments[0].Value) is IPropertyReferenceOperation { Property: var property }
                && property.Name == role && SymbolEqualityComparer.Default.Equals(property.ContainingType, apis.ChatRole)
                && creation.Arguments[1].Value.Type?.SpecialType == SpecialType.System_String)
            {
                return creation.Arguments[1].Value;
            }

            if (((openAiType is not null && SymbolEqualityComparer.Default.Equals(type, openAiType))
                 || (otherOpenAiType is not null && SymbolEqualityComparer.Default.Equals(type, otherOpenAiType)))
                && creation.Arguments.Length >= 1 && creation.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String)
            {
                return creation.Arguments[0].Value;
            }

            return null;
        }

        /// <summary>The text argument of the OpenAI SDK's <c>ChatMessage.CreateSystemMessage(text)</c>; null for anything else.</summary>
        public static IOperation? TextOf(IInvocationOperation invocation, KnownApis apis) =>
            invocation.TargetMethod.Name == "CreateSystemMessage" && apis.OpenAIChatMessage is not null
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, apis.OpenAIChatMessage)
            && invocation.Arguments.Length >= 1 && invocation.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String
                ? invocation.Arguments[0].Value
                : null;

        /// <summary>
        /// The system prompt of Semantic Kernel's <c>new ChatHistory("…")</c> (the one-string constructor; the two-argument one
        /// when its role is <c>AuthorRole.System</c>); null for anything else.
        /// </summary>
        public static IOperation? SemanticKernelTextOf(IObjectCreationOperation creation, KnownApis apis)
        {
            if (apis.SkChatHistory is null || !SymbolEqualityComparer.Default.Equals(creation.Type, apis.SkChatHistory)) return null;
            var arguments = creation.Arguments;
            if (arguments.Length == 0 || arguments[0].Value.Type?.SpecialType != SpecialType.System_String) return null;
            if (arguments.Length >= 2 && !(Unwrap(arguments[1].Value) is IPropertyReferenceOperation { Property.Name: "System" } role
                                           && role.Property.ContainingType.Name == "AuthorRole"))
            {
                return null;
            }

            return arguments[0].Value;
        }

        /// <summary>The text of Semantic Kernel's <c>ChatHistory.AddSystemMessage("…")</c>; null for anything else.</summary>
        public static IOperation? SemanticKernelTextOf(IInvocationOperation invocation, KnownApis apis) =>
            invocation.TargetMethod.Name == "AddSystemMessage" && apis.SkChatHistory is not null
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, apis.SkChatHistory)
            && invocation.Arguments.Length == 1 && invocation.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String
                ? invocation.Arguments[0].Value
                : null;

        /// <summary>
        /// The texts of an Anthropic <c>System</c> or message <c>Content</c> value: the string given to it, or each text block of its list
        /// (<c>new TextBlockParam(text)</c> or <c>{ Text = text }</c>, and the beta twins); nothing for anything else.
        /// </summary>
        public static System.Collections.Generic.IEnumerable<IOperation> AnthropicTextsOf(IOperation system)
        {
            var value = Unwrap(system);
            if (value.Type?.SpecialType == SpecialType.System_String)
            {
                yield return value;
                yield break;
            }

            foreach (var block in value.DescendantsAndSelf().OfType<IObjectCreationOperation>())
            {
                if (block.Type is not { Name: "TextBlockParam" or "BetaTextBlockParam" } type || !KnownApis.IsInAnthropicSdk(type))
                {
                    continue;
                }

                if (block.Arguments.Length >= 1 && block.Arguments[0].Value.Type?.SpecialType == SpecialType.System_String)
                {
                    yield return block.Arguments[0].Value;
                }
                else if (block.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                             .FirstOrDefault(a => a.Target is IPropertyReferenceOperation { Property.Name: "Text" })?.Value is { } text)
                {
                    yield return text;
                }
            }
        }

        public static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            return operation;
        }
    }
}
