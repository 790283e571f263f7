using Microsoft.Extensions.AI;
using PromptOps.Caching;

namespace PromptOps.Semantic.Tests.Layer;

public sealed class PartitionKeyTests
{
    [Fact]
    public void The_user_text_is_left_out_everything_else_is_in()
    {
        var a = PromptCacheKey.ComputePartition(Messages("How do I reset my password?"), Options(), out var textA);
        var b = PromptCacheKey.ComputePartition(Messages("Something else entirely"), Options(), out var textB);

        Assert.NotNull(a);
        Assert.Equal(a, b);
        Assert.Equal("How do I reset my password?", textA);
        Assert.Equal("Something else entirely", textB);
        Assert.StartsWith(PromptCacheKey.PartitionPrefix, a, StringComparison.Ordinal);
        Assert.NotEqual(PromptCacheKey.Compute(Messages("How do I reset my password?"), Options()), a);

        string?[] others =
        [
            PromptCacheKey.ComputePartition([new(ChatRole.System, "other"), new(ChatRole.User, "x")], Options(), out _),
            PromptCacheKey.ComputePartition(Messages("x"), new ChatOptions { ModelId = "gpt-4o" }, out _),
            PromptCacheKey.ComputePartition(Messages("x"), new ChatOptions { ModelId = "gpt-4o-mini", MaxOutputTokens = 5 }, out _),
            PromptCacheKey.ComputePartition(Messages("x"), new ChatOptions { ModelId = "gpt-4o-mini", ResponseFormat = ChatResponseFormat.Json }, out _),
            PromptCacheKey.ComputePartition(Messages("x"), new ChatOptions { ModelId = "gpt-4o-mini", Tools = [AIFunctionFactory.Create(() => 1, "f")] }, out _),
            PromptCacheKey.ComputePartition(Messages("x"), Options().WithPromptOps(new PromptOpsMetadata { CacheScope = "alice" }), out _),
            PromptCacheKey.ComputePartition([new(ChatRole.System, "s"), new(ChatRole.User, "earlier"), new(ChatRole.Assistant, "a"), new(ChatRole.User, "x")], Options(), out _),
        ];
        Assert.Equal(others.Length, others.Distinct().Count());
        Assert.DoesNotContain(a, others);
        Assert.All(others, Assert.NotNull);
    }

    [Fact]
    public void Requests_that_do_not_end_in_plain_user_text_have_no_partition()
    {
        Assert.Null(PromptCacheKey.ComputePartition([new(ChatRole.User, "q"), new(ChatRole.Assistant, "a")], null, out _));
        Assert.Null(PromptCacheKey.ComputePartition([new(ChatRole.User, [new TextContent("q"), new DataContent(new byte[] { 1 }, "image/png")])], null, out _));
        Assert.Null(PromptCacheKey.ComputePartition([new(ChatRole.User, "  ")], null, out _));
        Assert.Null(PromptCacheKey.ComputePartition([], null, out _));
        Assert.Null(PromptCacheKey.ComputePartition(Messages("x"), new ChatOptions { ConversationId = "c" }, out _));
    }

    private static List<ChatMessage> Messages(string user) => [new(ChatRole.System, "s"), new(ChatRole.User, user)];

    private static ChatOptions Options() => new() { ModelId = "gpt-4o-mini" };
}
