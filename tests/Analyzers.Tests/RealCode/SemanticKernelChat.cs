// Modelled on the Semantic Kernel chat samples (microsoft/semantic-kernel's getting-started chat loop, MIT, and public
// samples that follow it): an IChatCompletionService with a ChatHistory, execution settings in a local that set the
// temperature and tool behaviour but no MaxTokens, a plain chat loop, and settings handed in by the caller (not judged).
using System;
using System.Threading.Tasks;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace SemanticKernelSamples;

public sealed class TravelChat(IChatCompletionService chatService, Kernel kernel)
{
    public async Task<string> AskAboutPragueAsync()
    {
        var executionSettings = new OpenAIPromptExecutionSettings()
        {
            Temperature = 0,
            ChatSystemPrompt = "",
        };

        var chatHistory = new ChatHistory();
        chatHistory.AddUserMessage("Give me the most important information about Prague.");
        var response = await chatService.GetChatMessageContentAsync(chatHistory, executionSettings, kernel); // expect PO0002
        return response.Content ?? string.Empty;
    }

    public async Task ChatLoopAsync()
    {
        ChatHistory chatHistory = [];
        while (Console.ReadLine() is { Length: > 0 } question)
        {
            chatHistory.AddUserMessage(question);
            var response = await chatService.GetChatMessageContentAsync(chatHistory); // expect PO0002; expect PO0011
            Console.WriteLine(response);
            chatHistory.Add(response);
        }
    }

    public async Task<string> ClassifyAsync(string ticket)
    {
        var history = new ChatHistory("Classify the ticket as billing or technical. Answer with one word.");
        history.AddUserMessage(ticket);
        var response = await chatService.GetChatMessageContentAsync(history, new PromptExecutionSettings()); // expect PO0002 (no fix)
        return response.Content ?? string.Empty;
    }

    public Task<ChatMessageContent> WithCallerSettingsAsync(ChatHistory history, PromptExecutionSettings settings) =>
        chatService.GetChatMessageContentAsync(history, settings);

    public Task<ChatMessageContent> WithLimitAsync(ChatHistory history) =>
        chatService.GetChatMessageContentAsync(history, new OpenAIPromptExecutionSettings { MaxTokens = 300 });
}
