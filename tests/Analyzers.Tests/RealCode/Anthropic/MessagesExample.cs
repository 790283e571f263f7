// In the style of anthropics/anthropic-sdk-csharp examples/MessagesExample (MIT), on the Anthropic 13.15.0 API.
using System;
using System.Linq;
using System.Threading.Tasks;
using Anthropic;
using Anthropic.Models.Messages;

namespace RealCode.Anthropic;

public static class MessagesExample
{
    // The example as published: an open-ended story, so 2048 is a choice, not a mistake.
    public static async Task<string> StoryAsync(AnthropicClient client)
    {
        MessageCreateParams parameters = new()
        {
            MaxTokens = 2048,
            Messages = [new UserMessageParam("Tell me a story about building the best SDK!")],
            Model = "claude-sonnet-4-6",
        };

        var response = await client.Messages.Create(parameters);
        return string.Join("", response.Content.Select(block => block.Value).OfType<TextBlock>().Select(text => text.Text));
    }

    // The same shape reused for a ticket router: the limit was copied along with the rest.
    public static Task<Message> RouteAsync(AnthropicClient client, string ticket)
    {
        MessageCreateParams parameters = new()
        {
            MaxTokens = 2048, // expect PO0002
            System = "You route support tickets. Reply with exactly one word: billing, bug, account or other.",
            Messages = [new UserMessageParam(ticket)],
            Model = "claude-haiku-4-5",
        };

        return client.Messages.Create(parameters);
    }

    // A sentiment score on the top model: five tokens of output do not need Opus.
    public static Task<Message> SentimentAsync(AnthropicClient client, string review) => client.Messages.Create(new MessageCreateParams
    {
        MaxTokens = 5,
        System = "Rate the review's sentiment. Reply with one word: positive, negative or neutral.",
        Messages = [new UserMessageParam(review)],
        Model = Model.ClaudeOpus4_6, // expect PO0003
    });

    // Well-formed: a short limit on the cheap model.
    public static Task<Message> UrgentAsync(AnthropicClient client, string ticket) => client.Messages.Create(new MessageCreateParams
    {
        MaxTokens = 10,
        Messages = [new UserMessageParam("Is this ticket urgent? Answer yes or no.\n\n" + ticket)],
        Model = Model.ClaudeHaiku4_5,
    });
}
