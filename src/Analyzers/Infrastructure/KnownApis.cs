using Microsoft.CodeAnalysis;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>The types the analyzers recognise, resolved once per compilation (null when not referenced).</summary>
    internal sealed class KnownApis
    {
        private KnownApis(Compilation compilation)
        {
            ChatClient = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.IChatClient");
            ChatClientExtensions = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatClientExtensions");
            ChatOptions = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatOptions");
            ChatMessage = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatMessage");
            ChatRole = compilation.GetTypeByMetadataName("Microsoft.Extensions.AI.ChatRole");
            OpenAIChatClient = compilation.GetTypeByMetadataName("OpenAI.Chat.ChatClient");
            OpenAIChatCompletionOptions = compilation.GetTypeByMetadataName("OpenAI.Chat.ChatCompletionOptions");
            OpenAISystemMessage = compilation.GetTypeByMetadataName("OpenAI.Chat.SystemChatMessage");
            OpenAIChatMessage = compilation.GetTypeByMetadataName("OpenAI.Chat.ChatMessage");
            OpenAIUserMessage = compilation.GetTypeByMetadataName("OpenAI.Chat.UserChatMessage");
            OpenAIDeveloperMessage = compilation.GetTypeByMetadataName("OpenAI.Chat.DeveloperChatMessage");
            BinaryContent = compilation.GetTypeByMetadataName("System.ClientModel.BinaryContent");
            PromptAttribute = compilation.GetTypeByMetadataName("PromptOps.PromptAttribute");
            SkChatCompletionService = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.ChatCompletion.IChatCompletionService");
            SkChatCompletionServiceExtensions = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.ChatCompletion.ChatCompletionServiceExtensions");
            SkPromptExecutionSettings = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.PromptExecutionSettings");
            SkChatHistory = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.ChatCompletion.ChatHistory");
            SkKernel = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.Kernel");
            SkKernelArguments = compilation.GetTypeByMetadataName("Microsoft.SemanticKernel.KernelArguments");
            AnthropicMessageCreateParams = compilation.GetTypeByMetadataName("Anthropic.Models.Messages.MessageCreateParams");
            AnthropicBetaMessageCreateParams = compilation.GetTypeByMetadataName("Anthropic.Models.Beta.Messages.MessageCreateParams");
        }

        public INamedTypeSymbol? ChatClient { get; }

        public INamedTypeSymbol? ChatClientExtensions { get; }

        public INamedTypeSymbol? ChatOptions { get; }

        public INamedTypeSymbol? ChatMessage { get; }

        public INamedTypeSymbol? ChatRole { get; }

        public INamedTypeSymbol? OpenAIChatClient { get; }

        public INamedTypeSymbol? OpenAIChatCompletionOptions { get; }

        public INamedTypeSymbol? OpenAISystemMessage { get; }

        public INamedTypeSymbol? OpenAIChatMessage { get; }

        public INamedTypeSymbol? OpenAIUserMessage { get; }

        public INamedTypeSymbol? OpenAIDeveloperMessage { get; }

        /// <summary>The request body of the OpenAI SDK's protocol methods (<c>CompleteChat(BinaryContent, RequestOptions)</c>).</summary>
        public INamedTypeSymbol? BinaryContent { get; }

        public INamedTypeSymbol? PromptAttribute { get; }

        /// <summary>Semantic Kernel's <c>IChatCompletionService</c> (Microsoft.SemanticKernel.Abstractions).</summary>
        public INamedTypeSymbol? SkChatCompletionService { get; }

        /// <summary>Semantic Kernel's <c>ChatCompletionServiceExtensions</c> (<c>GetChatMessageContentAsync</c>).</summary>
        public INamedTypeSymbol? SkChatCompletionServiceExtensions { get; }

        /// <summary>Semantic Kernel's <c>PromptExecutionSettings</c> (the base of every connector's settings).</summary>
        public INamedTypeSymbol? SkPromptExecutionSettings { get; }

        /// <summary>Semantic Kernel's <c>ChatHistory</c>.</summary>
        public INamedTypeSymbol? SkChatHistory { get; }

        /// <summary>Semantic Kernel's <c>Kernel</c>.</summary>
        public INamedTypeSymbol? SkKernel { get; }

        /// <summary>Semantic Kernel's <c>KernelArguments</c> (carries the execution settings of <c>InvokePromptAsync</c>).</summary>
        public INamedTypeSymbol? SkKernelArguments { get; }

        /// <summary>The request of Anthropic's official SDK (<c>client.Messages.Create(new MessageCreateParams { … })</c>, <c>CreateStreaming</c>).</summary>
        public INamedTypeSymbol? AnthropicMessageCreateParams { get; }

        /// <summary>The same request on the SDK's beta Messages API (<c>client.Beta.Messages.Create(…)</c>).</summary>
        public INamedTypeSymbol? AnthropicBetaMessageCreateParams { get; }

        /// <summary>True when Anthropic's official SDK is referenced.</summary>
        public bool HasAnthropic => AnthropicMessageCreateParams is not null || AnthropicBetaMessageCreateParams is not null;

        /// <summary>True when <paramref name="type"/> is an Anthropic SDK request (<see cref="AnthropicMessageCreateParams"/> or its beta twin).</summary>
        public bool IsAnthropicRequest(ITypeSymbol? type) =>
            type is not null && (SymbolEqualityComparer.Default.Equals(type, AnthropicMessageCreateParams) || SymbolEqualityComparer.Default.Equals(type, AnthropicBetaMessageCreateParams));

        /// <summary>
        /// True when <paramref name="type"/> is declared in Anthropic's SDK (the namespace <c>Anthropic</c> or one inside it),
        /// without building the namespace's display string: this runs for each message or text block the analyzers see.
        /// </summary>
        public static bool IsInAnthropicSdk(ITypeSymbol type)
        {
            var ns = type.ContainingNamespace;
            if (ns is null || ns.IsGlobalNamespace) return false;
            while (!ns.ContainingNamespace.IsGlobalNamespace) ns = ns.ContainingNamespace;
            return ns.Name == "Anthropic" && !ReferenceEquals(ns, type.ContainingNamespace);
        }

        /// <summary>True when Semantic Kernel's abstractions are referenced.</summary>
        public bool HasSemanticKernel => SkChatCompletionService is not null || SkChatHistory is not null;

        public bool IsRelevant => ChatClient is not null || OpenAIChatClient is not null || PromptAttribute is not null || HasSemanticKernel || HasAnthropic;

        public static KnownApis Create(Compilation compilation) => new KnownApis(compilation);
    }
}
