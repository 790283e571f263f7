// Modelled on the shape issue #14 found in one of the public .NET AI samples it read: a game loop that sends the rules of
// the game, a block of several hundred tokens, inside the *user* message of every frame, next to the frame's state. The
// rules text is written here. The system prompt is short and the call sets its output limit, so only PO0010 applies there.
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace AISamples.Games;

public sealed class GameFrameAdvisor(IChatClient client)
{
    private readonly ChatOptions _options = new() { MaxOutputTokens = 5, ModelId = "gpt-4o-mini" };

    public async Task<string> NextMoveAsync(string board, int score, int frame)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "You steer the snake."),
            // expect PO0010 (next line): the rules are constant, billed in full with every frame
            new(ChatRole.User, $"""
                You are playing a snake game on a 20 by 20 grid. The snake moves one cell per turn in the direction you
                choose: up, down, left or right. The snake grows by one cell each time its head reaches the food, and a new
                piece of food appears on a random empty cell. The game ends when the head of the snake hits a wall or any
                part of its own body. You cannot reverse the direction of the snake in a single move: if it is moving left,
                you cannot choose right. Plan ahead so that the snake never traps itself in a corner or in a loop of its own
                body, and prefer moves that keep a path open to the largest free area of the grid. When two moves are
                equally safe, choose the one that brings the head closer to the food. Answer with exactly one word, the
                direction of the next move, and nothing else.

                Frame {frame}, score {score}. The board, one row per line (H head, B body, F food, # wall, . empty):
                {board}
                """),
        ];
        var response = await client.GetResponseAsync(messages, _options);
        return response.Text;
    }

    // A short per-call question is not an instruction block (but the call has no output limit).
    public async Task<string> ExplainAsync(string move)
    {
        var response = await client.GetResponseAsync($"Explain the move {move} in one sentence."); // expect PO0002
        return response.Text;
    }
}
