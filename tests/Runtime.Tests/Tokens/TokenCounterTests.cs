using PromptOps.Tokens;

namespace PromptOps.Tests.Tokens;

public class TokenCounterTests
{
    private const string English = "You are a helpful assistant. Please classify the following customer support ticket into one of the categories: billing, technical, account, or other. Respond with the category name only.";
    private const string Japanese = "以下のお問い合わせ内容を読み、請求、技術、アカウント、その他のいずれかに分類してください。カテゴリ名のみを回答してください。";

    [Fact]
    public void Counting_a_request_with_a_null_message_names_it()
    {
        var e = Assert.Throws<ArgumentException>(() => PromptOps.Tokens.RequestTokens.Count(
            [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "hi"), null!], null, "gpt-4o"));
        Assert.Contains("messages[1] is null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void O200k_counts_are_exact()
    {
        var counter = TiktokenTokenCounter.O200k;
        Assert.True(counter.IsExact);
        Assert.Equal("o200k_base", counter.Name);
        Assert.Equal(2, counter.CountTokens("Hello world"));      // "Hello", " world"
        Assert.Equal(0, counter.CountTokens(string.Empty));
        Assert.Same(counter, TiktokenTokenCounter.O200k);          // one instance per process
    }

    [Fact]
    public void Cl100k_and_o200k_differ_where_the_encodings_differ()
    {
        // o200k has a larger vocabulary: Japanese text takes fewer tokens than with cl100k.
        Assert.True(TiktokenTokenCounter.O200k.CountTokens(Japanese) < TiktokenTokenCounter.Cl100k.CountTokens(Japanese));
    }

    [Theory]
    [InlineData("gpt-4o", "o200k_base")]
    [InlineData("gpt-4o-mini-2024-07-18", "o200k_base")]
    [InlineData("o1-mini", "o200k_base")]
    [InlineData("o3", "o200k_base")]
    [InlineData("gpt-4.1-nano", "o200k_base")]
    [InlineData("openai/gpt-5", "o200k_base")]
    [InlineData("gpt-4-turbo", "cl100k_base")]
    [InlineData("gpt-3.5-turbo", "cl100k_base")]
    [InlineData("claude-sonnet", "estimate")]
    [InlineData("gemini-1.5-pro", "estimate")]
    [InlineData("omni-model", "estimate")]
    [InlineData(null, "estimate")]
    public void Models_get_their_encoding(string? model, string expected)
    {
        Assert.Equal(expected, TokenCounters.ForModel(model).Name);
    }

    [Theory]
    [InlineData(English)]
    [InlineData(Japanese)]
    public void Truncate_keeps_a_prefix_within_the_limit(string text)
    {
        foreach (var counter in new ITokenCounter[] { TiktokenTokenCounter.O200k, EstimatingTokenCounter.Default })
        {
            var cut = counter.Truncate(text, 10);
            Assert.StartsWith(cut, text, StringComparison.Ordinal);
            Assert.True(counter.CountTokens(cut) <= 10, $"{counter.Name}: {counter.CountTokens(cut)} tokens");
            Assert.True(cut.Length < text.Length);
            Assert.Equal(text, counter.Truncate(text, 10_000));
            Assert.Equal(string.Empty, counter.Truncate(text, 0));
        }
    }

    [Theory]
    [InlineData(English)]
    [InlineData(Japanese)]
    [InlineData("def add(a, b):\n    return a + b  # sum two numbers\n")]
    public void The_estimate_stays_within_its_documented_band_of_o200k(string text)
    {
        var exact = TiktokenTokenCounter.O200k.CountTokens(text);
        var estimate = EstimatingTokenCounter.Default.CountTokens(text);
        Assert.InRange(estimate, (int)(exact * 0.65), (int)Math.Ceiling(exact * 1.6));
    }

    [Fact]
    public void The_estimate_never_splits_a_surrogate_pair()
    {
        var text = string.Concat(Enumerable.Repeat("😀", 20));
        var cut = EstimatingTokenCounter.Default.Truncate(text, 3);
        Assert.False(cut.Length > 0 && char.IsHighSurrogate(cut[^1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EstimatingTokenCounter(0.5));
    }
}
