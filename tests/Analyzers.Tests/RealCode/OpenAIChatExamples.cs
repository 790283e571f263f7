// Modelled on openai/openai-dotnet's examples: the params overloads, messages and options in locals,
// a structured-output call that does set its limit, and the protocol (BinaryContent) method.
using System;
using System.ClientModel;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Chat;

namespace OpenAI.Examples;

public static class ChatExamples
{
    public static void SimpleChat(ChatClient client)
    {
        ChatCompletion completion = client.CompleteChat("Say 'this is a test.'"); // expect PO0002

        Console.WriteLine($"[ASSISTANT]: {completion.Content[0].Text}");
    }

    public static async Task SimpleChatStreamingAsync(ChatClient client)
    {
        await foreach (StreamingChatCompletionUpdate completionUpdate in client.CompleteChatStreamingAsync("Say 'this is a test.'")) // expect PO0002
        {
            if (completionUpdate.ContentUpdate.Count > 0)
            {
                Console.Write(completionUpdate.ContentUpdate[0].Text);
            }
        }
    }

    public static void ChatWithOptions(ChatClient client)
    {
        List<ChatMessage> messages =
        [
            new SystemChatMessage("You are a helpful assistant that talks like a pirate."), // expect PO0001: a suggestion (Info), the fix saves 1 token of 11
            new UserChatMessage("Hi, can you help me?"),
            new AssistantChatMessage("Arrr! Of course, me hearty! What can I do for ye?"),
            new UserChatMessage("What's the best way to train a parrot?"),
        ];

        ChatCompletionOptions options = new()
        {
            Temperature = 0.7f,
        };

        ChatCompletion completion = client.CompleteChat(messages, options); // expect PO0002

        Console.WriteLine($"[ASSISTANT]: {completion.Content[0].Text}");
    }

    public static void StructuredOutputs(ChatClient client)
    {
        List<ChatMessage> messages =
        [
            new UserChatMessage("How can I solve 8x + 7 = -23?"),
        ];

        ChatCompletionOptions options = new()
        {
            ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(),
            MaxOutputTokenCount = 400,
        };

        ChatCompletion completion = client.CompleteChat(messages, options);
        Console.WriteLine(completion.Content[0].Text);
    }

    public static void ClassifyTicket(ChatClient client, string ticket)
    {
        ChatCompletion completion = client.CompleteChat( // expect PO0002
            new SystemChatMessage("Classify the support ticket. Answer with one word: billing, technical or other."),
            new UserChatMessage(ticket));

        Console.WriteLine(completion.Content[0].Text);
    }

    public static void ProtocolMethod(ChatClient client)
    {
        const string json = """
            {
              "model": "gpt-4o-mini",
              "messages": [ { "role": "user", "content": "Say 'this is a test.'" } ]
            }
            """;
        using BinaryContent content = BinaryContent.Create(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        ClientResult result = client.CompleteChat(content); // expect PO0002 (no fix)
        Console.WriteLine(result.GetRawResponse().Content.ToString());
    }
}
