using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.StaticInstructionsInUserMessageAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>PO0010: a large constant instruction block in a user message built per call.</summary>
public class StaticInstructionsInUserMessageTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;

        """;

    // A game-rules block like the one issue #14 found sent with every frame (shorter: about 200 o200k tokens).
    private const string Rules =
        "You are playing a snake game on a 20 by 20 grid. The snake moves one cell per turn in the direction you choose: " +
        "up, down, left or right. The snake grows by one cell each time its head reaches the food, and a new piece of food " +
        "appears on a random empty cell. The game ends when the head of the snake hits a wall or any part of its own body. " +
        "You cannot reverse the direction of the snake in a single move: if it is moving left, you cannot choose right. " +
        "Plan ahead so that the snake never traps itself in a corner or in a loop of its own body, and prefer moves that keep " +
        "a path open to the largest free area of the grid. When two moves are equally safe, choose the one that brings the " +
        "head closer to the food. Answer with exactly one word, the direction of the next move, and nothing else. " +
        "The current state of the game follows, with the head, the body, the food and the walls given as coordinates.";

    [Fact]
    public Task A_rules_block_interpolated_with_the_frame_is_reported() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            ChatMessage M(string frame) => new(ChatRole.User, {|#0:$"{{Rules}}\n{frame}"|});
        }
        """, null, V.Diagnostic("PO0010").WithLocation(0).WithArguments(205, " around 1 per-call value", 10000, "claude-haiku-4-5 (the balanced tier's default)", 2.05m));

    [Fact]
    public Task On_Anthropics_SDK_a_rules_block_in_a_UserMessageParam_is_reported_and_priced_on_the_requests_model() => V.AnthropicAnalyzerAsync($$"""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Anthropic;
        using Anthropic.Models.Messages;

        class C
        {
            Task<Message> Move(AnthropicClient client, string frame) => client.Messages.Create(new MessageCreateParams
            {
                MaxTokens = 5,
                Messages = [new UserMessageParam({|#0:$"{{Rules}}\n{frame}"|})],
                Model = "claude-sonnet-4-5",
            });

            // Built apart from a request: the tier's default prices it; a text block counts like a string.
            UserMessageParam Blocks(string frame) => new() { Content = new List<ContentBlockParam> { new TextBlockParam({|#1:"{{Rules}}\n" + frame|}) } };

            // A constant question is the same request every time: not an instruction block around per-call data.
            UserMessageParam Fixed() => new("{{Rules}}");
        }
        """,
        V.Diagnostic("PO0010").WithLocation(0).WithArguments(205, " around 1 per-call value", 10000, "claude-sonnet-4-5", 6.15m),
        V.Diagnostic("PO0010").WithLocation(1).WithArguments(205, " around 1 per-call value", 10000, "claude-haiku-4-5 (the balanced tier's default)", 2.05m));

    [Fact]
    public Task A_const_block_concatenated_in_a_local_is_followed_and_priced_on_the_call_model() => V.AnalyzerAsync($$"""
        using OpenAI.Chat;

        class C
        {
            private const string Rules = "{{Rules}}";

            ChatCompletion M(string key, string frame, int turn)
            {
                ChatClient client = new(model: "gpt-4o", apiKey: key);
                var prompt = Rules + "\nTurn " + turn + ":\n" + frame;
                return client.CompleteChat([new UserChatMessage({|#0:prompt|})], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
            }
        }
        """, "promptops.monthly_requests = 1000000",
        V.Diagnostic("PO0010").WithLocation(0).WithArguments(207, " around 2 per-call values", 1000000, "gpt-4o", 517.50m)); // 207 × 1M × $2.50/1M

    [Fact]
    public Task Every_user_message_source_is_read() => V.AnalyzerAsync($$"""
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using Microsoft.SemanticKernel.ChatCompletion;

        class C
        {
            Task<ChatResponse> A(IChatClient client, string frame) => client.GetResponseAsync({|PO0010:$"{{Rules}} {frame}"|});
            OpenAI.Chat.ChatMessage B(string frame) => OpenAI.Chat.ChatMessage.CreateUserMessage({|PO0010:$"{{Rules}} {frame}"|});
            void D(ChatHistory history, string frame) => history.AddUserMessage({|PO0010:$"{{Rules}} {frame}"|});
        }
        """);

    [Fact]
    public Task Constant_messages_short_blocks_and_system_messages_are_quiet() => V.AnalyzerAsync(Header + $$"""
        class C
        {
            List<ChatMessage> M(string frame, string question) =>
            [
                new(ChatRole.System, $"{{Rules}} {frame}"),
                new(ChatRole.User, "{{Rules}}"),
                new(ChatRole.User, $"Summarize the following text in three bullet points:\n{question}"),
                new(ChatRole.User, question),
            ];
        }
        """);

    [Fact]
    public Task The_threshold_comes_from_editorconfig() => V.AnalyzerAsync(Header + """
        class C
        {
            ChatMessage M(string text) => new(ChatRole.User, {|PO0010:$"Summarize the following text in three bullet points:\n{text}"|});
        }
        """, "promptops.max_user_static_tokens = 5");
}
