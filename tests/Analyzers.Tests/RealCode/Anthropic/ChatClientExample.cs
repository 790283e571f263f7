// In the style of anthropics/anthropic-sdk-csharp examples/ChatClientExample (MIT): the SDK's IChatClient.
using System;
using System.Threading.Tasks;
using Anthropic;
using Microsoft.Extensions.AI;

namespace RealCode.Anthropic;

public static class ChatClientExample
{
    public static async Task HaikuAsync()
    {
        IChatClient chatClient = new AnthropicClient().AsIChatClient("claude-haiku-4-5");

        ChatOptions options = new()
        {
            Temperature = 0.7f,
        };

        await foreach (var update in chatClient.GetStreamingResponseAsync("Write a Haiku about the current user's name", options)) // expect PO0002
        {
            Console.Write(update);
        }

        Console.WriteLine();
    }

    // The limit set where the client is made covers every call that does not set its own.
    public static async Task<string> TitleAsync(string ticket)
    {
        IChatClient chatClient = new AnthropicClient().AsIChatClient("claude-haiku-4-5", defaultMaxOutputTokens: 40);
        var response = await chatClient.GetResponseAsync("Write a title for this support ticket: " + ticket);
        return response.Text;
    }

    // A yes/no on a client made for Opus: reported at the call, no fix (the client's model serves its other calls too).
    public static async Task<bool> IsUrgentAsync(AnthropicClient client, string ticket)
    {
        IChatClient opus = client.AsIChatClient(defaultModelId: "claude-opus-4-6");
        var response = await opus.GetResponseAsync("Is this ticket urgent? Answer yes or no.\n\n" + ticket, new ChatOptions { MaxOutputTokens = 3 }); // expect PO0003 (no fix)
        return response.Text.StartsWith("yes", StringComparison.OrdinalIgnoreCase);
    }

    // A label through ChatOptions on Sonnet: the cheaper model offered is Claude's own.
    public static Task<ChatResponse> LabelAsync(IChatClient chatClient, string ticket) =>
        chatClient.GetResponseAsync(ticket, new ChatOptions
        {
            ModelId = "claude-sonnet-4-6", // expect PO0003
            MaxOutputTokens = 5,
        });
}
