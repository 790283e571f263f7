// In the style of anthropics/anthropic-sdk-csharp examples/MessagesStreamingExample (MIT), on the Anthropic 13.15.0 API.
using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using Anthropic;
using Anthropic.Models.Messages;

namespace RealCode.Anthropic;

public static class MessagesStreamingExample
{
    public static async Task<string> SummarizeAsync(AnthropicClient client, string thread)
    {
        MessageCreateParams parameters = new()
        {
            MaxTokens = 4096, // expect PO0002
            System = new List<TextBlockParam> { new("Summarize the support thread in three bullet points for the next agent.") },
            Messages = [new UserMessageParam(thread)],
            Model = Model.ClaudeSonnet4_6,
        };

        var text = new StringBuilder();
        IAsyncEnumerable<RawMessageStreamEvent> responseUpdates = client.Messages.CreateStreaming(parameters);
        await foreach (RawMessageStreamEvent rawEvent in responseUpdates)
        {
            if (rawEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var chunk))
            {
                text.Append(chunk.Text);
            }
        }

        return text.ToString();
    }

    // A limit with room to spare (three bullet points ≈ 90 tokens; 300 is within 4x) is not reported.
    public static async Task StreamReplyAsync(AnthropicClient client, string thread)
    {
        await foreach (var rawEvent in client.Messages.CreateStreaming(new MessageCreateParams
        {
            MaxTokens = 300,
            System = "Draft a reply to the customer in three bullet points.",
            Messages = [new UserMessageParam(thread)],
            Model = Model.ClaudeSonnet4_6,
        }))
        {
            if (rawEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var chunk)) Console.Write(chunk.Text);
        }
    }
}
