using Microsoft.Extensions.AI;
using PromptOps.Routing;

namespace PromptOps.Tests.Routing;

public class CascadeEvaluatorTests
{
    private enum Sentiment { Positive, Negative, VeryNegative }

    private sealed record Person(string Name, int Age);

    private static async Task<bool> Passes(ICascadeEvaluator evaluator, string reply, ChatFinishReason? finish = null)
    {
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)) { FinishReason = finish ?? ChatFinishReason.Stop };
        var context = new CascadeContext([new(ChatRole.User, "q")], new ChatOptions(), 0, false);
        return (await evaluator.EvaluateAsync(response, context, default)).Passed;
    }

    [Theory]
    [InlineData("{\"a\": 1}", true)]
    [InlineData("```json\n[1, 2]\n```", true)]
    [InlineData("Sure! {\"a\": 1}", false)]
    [InlineData("", false)]
    public async Task Json(string reply, bool passes) => Assert.Equal(passes, await Passes(CascadeEvaluators.Json(), reply));

    [Theory]
    [InlineData("{\"name\": \"Ann\", \"age\": 3}", true)]
    [InlineData("{\"name\": \"Ann\", \"age\": \"three\"}", false)]
    [InlineData("null", false)]
    public async Task Typed_json(string reply, bool passes) => Assert.Equal(passes, await Passes(CascadeEvaluators.Json<Person>(), reply));

    [Theory]
    [InlineData("Positive", true)]
    [InlineData("negative.", true)]
    [InlineData("very_negative", true)]
    [InlineData("\"Very negative\"", true)]
    [InlineData("mixed", false)]
    [InlineData("Positive, mostly", false)]
    public async Task Enum(string reply, bool passes) => Assert.Equal(passes, await Passes(CascadeEvaluators.Enum<Sentiment>(), reply));

    [Theory]
    [InlineData("Yes", true)]
    [InlineData("false", true)]
    [InlineData("probably", false)]
    public async Task Boolean(string reply, bool passes) => Assert.Equal(passes, await Passes(CascadeEvaluators.Boolean(), reply));

    [Fact]
    public async Task Min_length_not_truncated_delegate_and_all()
    {
        Assert.True(await Passes(CascadeEvaluators.MinLength(5), "  12345  "));
        Assert.False(await Passes(CascadeEvaluators.MinLength(6), "12345"));
        Assert.False(await Passes(CascadeEvaluators.NotTruncated(), "cut", ChatFinishReason.Length));
        Assert.True(await Passes(CascadeEvaluators.NotTruncated(), "fine"));
        Assert.True(await Passes(CascadeEvaluators.From(r => r.Text.Contains('!', StringComparison.Ordinal)), "yes!"));
        Assert.False(await Passes(CascadeEvaluators.All(CascadeEvaluators.Json(), CascadeEvaluators.MinLength(10)), "{}"));
        Assert.True(await Passes(CascadeEvaluators.All(CascadeEvaluators.Json(), CascadeEvaluators.MinLength(2)), "{}"));
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentException>(() => CascadeEvaluators.OneOf());
        Assert.Throws<ArgumentOutOfRangeException>(() => CascadeEvaluators.MinLength(-1));
        Assert.Throws<ArgumentException>(() => CascadeEvaluators.All(null!, CascadeEvaluators.Json()));
    }
}
