// Modelled on dotnet/ai-samples and microsoft/Generative-AI-for-beginners-dotnet: an IChatClient with the
// messages and the options in locals, a one-word classifier, a chat loop that streams, and options that come
// from the caller (not judged).
using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace AISamples.Quickstart;

public sealed class Quickstart(IChatClient client)
{
    public async Task AskAsync()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You are a helpful travel assistant. Answer in two sentences."),
            new(ChatRole.User, "What should I see in Paris?"),
        ];

        var options = new ChatOptions
        {
            Temperature = 0.5f,
            ModelId = "gpt-4o-mini",
        };

        var response = await client.GetResponseAsync(messages, options); // expect PO0002
        Console.WriteLine(response.Text);
    }

    public async Task<string> ClassifyAsync(string review)
    {
        var prompt = $"Classify the sentiment of this review as one word (positive, negative or neutral): {review}";
        var response = await client.GetResponseAsync(prompt); // expect PO0002
        return response.Text;
    }

    public async Task SummarizeAsync(string article)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "Summarize the article in 50 words."),
            new(ChatRole.User, article),
        ];

        var summary = await client.GetResponseAsync(messages, new ChatOptions { MaxOutputTokens = 100 });
        Console.WriteLine(summary.Text);
    }

    public async Task ChatLoopAsync(Func<string?> readLine)
    {
        List<ChatMessage> history = [new(ChatRole.System, "You are a friendly assistant.")];
        while (readLine() is { Length: > 0 } input)
        {
            history.Add(new(ChatRole.User, input));
            var text = "";
            await foreach (var update in client.GetStreamingResponseAsync(history)) // expect PO0002; expect PO0011
            {
                Console.Write(update.Text);
                text += update.Text;
            }

            history.Add(new(ChatRole.Assistant, text));
        }
    }

    public async Task<string> AskWithCallerOptionsAsync(string question, ChatOptions options) =>
        (await client.GetResponseAsync(question, options)).Text;
}
