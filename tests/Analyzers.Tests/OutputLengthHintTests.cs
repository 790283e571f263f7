using PromptOps.Analyzers.Infrastructure;

namespace PromptOps.Analyzers.Tests;

public class OutputLengthHintTests
{
    [Theory]
    [InlineData("Answer with one word: positive, negative or neutral.", 10, "the prompt asks for one word")]
    [InlineData("Reply with a single word.", 10, "the prompt asks for a single word")]
    [InlineData("Answer yes or no.", 10, "the prompt asks for yes or no")]
    [InlineData("Describe the sea in 10 words.", 20, "the prompt asks for 10 words")]
    [InlineData("Answer in no more than 10 words.", 20, "the prompt asks for 10 words")]
    [InlineData("Write a 50-word product description.", 80, "the prompt asks for 50 words")]
    [InlineData("Summarize in 20 to 30 words.", 50, "the prompt asks for 20 to 30 words")]
    [InlineData("Summarize the text in two sentences.", 70, "the prompt asks for two sentences")]
    [InlineData("Explain it in one sentence.", 35, "the prompt asks for one sentence")]
    [InlineData("Give 3 sentences.", 105, "the prompt asks for 3 sentences")]
    [InlineData("List 5 bullet points.", 150, "the prompt asks for 5 bullet points")]
    [InlineData("Return a JSON object with the fields name and age.", 200, "the prompt asks for a JSON object")]
    [InlineData("Answer yes or no, then explain in two sentences.", 70, "the prompt asks for two sentences")]
    public void A_stated_length_gives_a_limit_no_lower_than_it_needs(string prompt, int tokens, string reason)
    {
        var hint = OutputLengthHint.FromPrompt(prompt);
        Assert.NotNull(hint);
        Assert.Equal(tokens, hint.Tokens);
        Assert.Equal(reason, hint.Reason);
    }

    [Theory]
    [InlineData("You are a helpful assistant.")]
    [InlineData("Write an essay of at least 500 words.")]
    [InlineData("Use no more than 10 words per bullet point.")]
    [InlineData("Return a JSON array of objects, one per product.")]
    [InlineData("In other words, be helpful.")]
    [InlineData("")]
    [InlineData(null)]
    public void No_stated_length_or_a_lower_bound_gives_no_hint(string? prompt) => Assert.Null(OutputLengthHint.FromPrompt(prompt));

    [Fact]
    public void Several_messages_take_the_largest_length() =>
        Assert.Equal(70, OutputLengthHint.FromPrompt(new[] { "Answer in one word.", null, "Or explain in two sentences." })!.Tokens);
}
