using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PromptOps.Knowledge;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>
    /// The model a chat call names, read from the code around a message so cost messages price the model the call really
    /// uses: <c>ChatOptions.ModelId</c> (Microsoft.Extensions.AI), <c>PromptExecutionSettings.ModelId</c> (Semantic Kernel),
    /// and a model argument of whatever made the client (<c>new ChatClient(model: "gpt-4o", …)</c>,
    /// <c>openAi.GetChatClient("gpt-4o").AsIChatClient()</c>, <c>new OllamaChatClient(uri, modelId: "llama3")</c>: a
    /// constant string given to a parameter named model, modelId, modelName, deploymentName or defaultModelId — Anthropic's
    /// <c>client.AsIChatClient("claude-haiku-4-5")</c>). Locals are followed through
    /// their initializer; fields and properties declared in the same file through their initializer or their one assignment.
    /// </summary>
    internal static class CallModel
    {
        private const int MaxDepth = 6;

        /// <summary>The catalogue price of the model named by the calls <paramref name="message"/> goes to, or null when unknown.</summary>
        /// <param name="message">The message text or creation (the search starts at the member that holds it).</param>
        /// <param name="apis">The known types.</param>
        /// <param name="model">The semantic model of the message's file.</param>
        /// <param name="named">The model id as the code writes it, also when the catalogue does not price it.</param>
        /// <param name="ct">Cancellation.</param>
        public static ModelPriceInfo? PriceFor(IOperation message, KnownApis apis, SemanticModel model, out string? named, CancellationToken ct)
        {
            named = ModelFor(message, apis, model, ct);
            return PriceOf(named);
        }

        /// <summary>The catalogue entry <paramref name="modelId"/> resolves to (aliases and dated ids included), or null when unknown.</summary>
        public static ModelPriceInfo? PriceOf(string? modelId)
        {
            if (modelId is null) return null;
            var name = DefaultPrices.ResolveName(modelId, n => DefaultPrices.All.Any(p => p.Model == n));
            return name is null ? null : DefaultPrices.All.First(p => p.Model == name);
        }

        /// <summary>The one model id the chat calls in the member holding <paramref name="message"/> name; null when none or several.</summary>
        public static string? ModelFor(IOperation message, KnownApis apis, SemanticModel model, CancellationToken ct)
        {
            var root = message;
            while (root.Parent is not null) root = root.Parent;
            var calls = root.DescendantsAndSelf().OfType<IInvocationOperation>().Where(c => IsChatCall(c.TargetMethod, apis)).ToList();
            // The call the message is written in, if any; else every call of the member (the message reaches them through a local).
            var direct = calls.Where(c => c.Syntax.Span.Contains(message.Syntax.Span)).ToList();
            if (direct.Count > 0) calls = direct;
            string? found = null;
            foreach (var call in calls)
            {
                var id = FromCall(call, apis, model, root, ct);
                if (id is null) continue;
                if (found is not null && !string.Equals(found, id, StringComparison.OrdinalIgnoreCase)) return null; // two models: not judged
                found = id;
            }

            return found;
        }

        /// <summary>A chat call whose model the rules can price: M.E.AI, the OpenAI SDK, Semantic Kernel.</summary>
        public static bool IsChatCall(IMethodSymbol method, KnownApis apis)
        {
            switch (method.Name)
            {
                case "GetResponseAsync":
                case "GetStreamingResponseAsync":
                    return IsFrom(method, apis.ChatClient) || IsFrom(method, apis.ChatClientExtensions);
                case "CompleteChat":
                case "CompleteChatAsync":
                case "CompleteChatStreaming":
                case "CompleteChatStreamingAsync":
                    return IsFrom(method, apis.OpenAIChatClient);
                case "GetChatMessageContentAsync":
                case "GetChatMessageContentsAsync":
                case "GetStreamingChatMessageContentsAsync":
                    return IsFrom(method, apis.SkChatCompletionService) || IsFrom(method, apis.SkChatCompletionServiceExtensions);
                default:
                    return false;
            }
        }

        private static bool IsFrom(IMethodSymbol method, INamedTypeSymbol? type)
        {
            if (type is null) return false;
            for (var t = method.ContainingType; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, type)) return true;
            }

            return method.ContainingType.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, type));
        }

        private static string? FromCall(IInvocationOperation call, KnownApis apis, SemanticModel model, IOperation root, CancellationToken ct)
        {
            // The options first: a ModelId there overrides the client's.
            foreach (var argument in call.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null) continue;
                var type = argument.Parameter.Type;
                if (IsType(type, apis.ChatOptions) || IsType(type, apis.SkPromptExecutionSettings))
                {
                    if (FromOptions(argument.Value, model, root, 0, ct) is { } id) return id;
                }
            }

            var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
            return receiver is null ? null : FromClient(receiver, ModelArgument, model, root, 0, ct) as string;
        }

        /// <summary>
        /// The model argument of whatever made the client <paramref name="call"/> goes to (<c>client.AsIChatClient("claude-opus-4-6")</c>,
        /// <c>openAi.GetChatClient("gpt-4o").AsIChatClient()</c>), followed through locals, members and wrapping calls; null
        /// when none is visible.
        /// </summary>
        public static string? ClientModel(IInvocationOperation call, SemanticModel model, CancellationToken ct)
        {
            var root = (IOperation)call;
            while (root.Parent is not null) root = root.Parent;
            var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
            // A PromptOps pipeline in the chain (UsePromptOps, UseTierRouting, …) routes each request to its tier's model:
            // the model the inner client was made with is not the one a request reaches.
            return receiver is null ? null : FromClient(receiver, RoutedOrModel, model, root, 0, ct) as string;
        }

        private static readonly object Routed = new object();

        private static object? RoutedOrModel(IEnumerable<IArgumentOperation> arguments) =>
            arguments.FirstOrDefault()?.Parent is IInvocationOperation { TargetMethod.ContainingNamespace: { } ns } && ns.ToDisplayString().StartsWith("PromptOps", StringComparison.Ordinal)
                ? Routed
                : ModelArgument(arguments);

        /// <summary>
        /// The default output limit given to whatever made the client <paramref name="call"/> goes to — a constant
        /// <c>defaultMaxOutputTokens</c> argument (Anthropic's <c>AsIChatClient(model, defaultMaxOutputTokens)</c>), followed
        /// through locals, members and wrapping calls like the model; null when none is visible.
        /// </summary>
        public static int? ClientOutputLimit(IInvocationOperation call, SemanticModel model, CancellationToken ct)
        {
            var root = (IOperation)call;
            while (root.Parent is not null) root = root.Parent;
            var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
            return receiver is null ? null : FromClient(receiver, OutputLimitArgument, model, root, 0, ct) as int?;
        }

        private static object? OutputLimitArgument(IEnumerable<IArgumentOperation> arguments)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter is not { Name: "defaultMaxOutputTokens" } || argument.ArgumentKind == ArgumentKind.DefaultValue) continue;
                var value = SystemMessages.Unwrap(argument.Value);
                if (value.ConstantValue.Value is int limit && limit > 0) return limit;
            }

            return null;
        }

        private static bool IsType(ITypeSymbol? type, INamedTypeSymbol? expected)
        {
            for (var t = type; t is not null && expected is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, expected)) return true;
            }

            return false;
        }

        /// <summary>The ModelId set in an options object's initializer (or assigned to a local's ModelId in the member).</summary>
        private static string? FromOptions(IOperation value, SemanticModel model, IOperation root, int depth, CancellationToken ct)
        {
            if (depth > MaxDepth) return null;
            value = SystemMessages.Unwrap(value);
            switch (value)
            {
                case IObjectCreationOperation creation:
                    return creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                        .Where(a => a.Target is IPropertyReferenceOperation { Property.Name: "ModelId" })
                        .Select(a => a.Value.ConstantValue.Value as string).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
                case ILocalReferenceOperation local:
                {
                    foreach (var op in root.Descendants())
                    {
                        if (op is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "ModelId", Instance: { } instance } } assignment
                            && SystemMessages.Unwrap(instance) is ILocalReferenceOperation owner && SymbolEqualityComparer.Default.Equals(owner.Local, local.Local)
                            && assignment.Value.ConstantValue.Value is string id)
                        {
                            return id;
                        }
                    }

                    return ValueOfLocal(local.Local, root) is { } init ? FromOptions(init, model, root, depth + 1, ct) : null;
                }

                case IMemberReferenceOperation member:
                    return ValueOfMember(member.Member, model, ct) is { } memberValue ? FromOptions(memberValue, model, memberValue, depth + 1, ct) : null;
                default:
                    return null;
            }
        }

        /// <summary>A model argument of whatever made the client, followed through locals, members and wrapping calls.</summary>
        private static object? FromClient(IOperation value, Func<IEnumerable<IArgumentOperation>, object?> read, SemanticModel model, IOperation root, int depth, CancellationToken ct)
        {
            if (depth > MaxDepth) return null;
            value = SystemMessages.Unwrap(value);
            switch (value)
            {
                case IInvocationOperation invocation:
                    if (read(invocation.Arguments) is { } id) return id;
                    var inner = invocation.Instance ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
                    return inner is null ? null : FromClient(inner, read, model, root, depth + 1, ct);
                case IObjectCreationOperation creation:
                    return read(creation.Arguments);
                case ILocalReferenceOperation local:
                    return ValueOfLocal(local.Local, root) is { } init ? FromClient(init, read, model, root, depth + 1, ct) : null;
                case IMemberReferenceOperation member:
                    return ValueOfMember(member.Member, model, ct) is { } memberValue ? FromClient(memberValue, read, model, memberValue, depth + 1, ct) : null;
                default:
                    return null;
            }
        }

        private static object? ModelArgument(IEnumerable<IArgumentOperation> arguments)
        {
            foreach (var argument in arguments)
            {
                if (argument.Parameter is not { } parameter || argument.ArgumentKind == ArgumentKind.DefaultValue) continue;
                var name = parameter.Name;
                if (!(name.Equals("model", StringComparison.OrdinalIgnoreCase) || name.Equals("modelId", StringComparison.OrdinalIgnoreCase)
                      || name.Equals("modelName", StringComparison.OrdinalIgnoreCase) || name.Equals("deploymentName", StringComparison.OrdinalIgnoreCase)
                      || name.Equals("defaultModelId", StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                if (argument.Value.ConstantValue.Value is string id && !string.IsNullOrWhiteSpace(id)) return id;
            }

            return null;
        }

        /// <summary>The initializer of a local that is never assigned again in the member; null otherwise.</summary>
        private static IOperation? ValueOfLocal(ILocalSymbol local, IOperation root)
        {
            IOperation? initializer = null;
            foreach (var op in root.Descendants())
            {
                if (op is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local)) initializer = declarator.Initializer?.Value;
                else if (op is IAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, local)) return null;
            }

            return initializer;
        }

        /// <summary>
        /// The one value a field or property declared in this file gets: its initializer, or its one assignment (a constructor's)
        /// when it has no initializer; null when it gets several or is declared elsewhere.
        /// </summary>
        private static IOperation? ValueOfMember(ISymbol member, SemanticModel model, CancellationToken ct)
        {
            if (member is not IFieldSymbol && member is not IPropertySymbol) return null;
            var type = member.ContainingType;
            SyntaxNode? value = null;
            var count = 0;
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (reference.SyntaxTree != model.SyntaxTree) return null;
                foreach (var node in reference.GetSyntax(ct).DescendantNodes())
                {
                    switch (node)
                    {
                        case VariableDeclaratorSyntax { Initializer.Value: { } init } declarator when declarator.Identifier.ValueText == member.Name
                                                                                                   && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator, ct), member):
                            value = init;
                            count++;
                            break;
                        case PropertyDeclarationSyntax { Initializer.Value: { } init } declaration when declaration.Identifier.ValueText == member.Name
                                                                                                     && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declaration, ct), member):
                            value = init;
                            count++;
                            break;
                        case AssignmentExpressionSyntax assignment when TargetName(assignment.Left) == member.Name
                                                                        && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, ct).Symbol?.OriginalDefinition, member):
                            value = assignment.Right;
                            count++;
                            break;
                    }
                }
            }

            return count == 1 && value is not null ? model.GetOperation(value, ct) : null;
        }

        private static string? TargetName(ExpressionSyntax target) => target switch
        {
            IdentifierNameSyntax name => name.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.ValueText,
            _ => null,
        };
    }
}
