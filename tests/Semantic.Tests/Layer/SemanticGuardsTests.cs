using PromptOps.Caching.Semantic;

namespace PromptOps.Semantic.Tests.Layer;

public sealed class SemanticGuardsTests
{
    [Theory]
    [InlineData("How do I reset my password?", "I forgot my password, how do I reset it?")]
    [InlineData("What's London's weather like in winter?", "What is the weather like in London in winter?")]
    [InlineData("How do I convert Celsius to Fahrenheit?", "How do you convert Celsius into Fahrenheit?")]
    [InlineData("Book a table for two people.", "Reserve a table for 2 people.")]
    [InlineData("Split 10,000 dollars.", "Split 10000 dollars.")]
    [InlineData("Why can't I log in?", "Why cannot I log in?")]
    [InlineData("How do I install GPT-4o locally?", "how do i install gpt-4o locally")]
    public void Compatible(string a, string b)
    {
        Assert.True(SemanticGuards.AreCompatible(a, b, out var reason), reason);
        Assert.True(SemanticGuards.AreCompatible(b, a, out reason), reason);
    }

    [Theory]
    [InlineData("Is the app available on Android?", "Is the app not available on Android?", "negation")]
    [InlineData("Why does my phone charge?", "Why doesn't my phone charge?", "negation")]
    [InlineData("How do I make a cake with eggs?", "How do I make a cake without eggs?", "negation")]
    [InlineData("How do I enable dark mode?", "How do I disable dark mode?", "opposite")]
    [InlineData("How do I subscribe to the newsletter?", "How do I unsubscribe from the newsletter?", "opposite")]
    [InlineData("Sort ascending.", "Sort descending.", "opposite")]
    [InlineData("Convert US dollars to euros.", "Convert euros to US dollars.", "direction")]
    [InlineData("Book a table for 2 people.", "Book a table for 4 people.", "numbers")]
    [InlineData("Give me five ideas.", "Give me ten ideas.", "numbers")]
    [InlineData("What changed in .NET 8?", "What changed in .NET 9?", "numbers")]
    [InlineData("What is the capital of France?", "What is the capital of Germany?", "names")]
    [InlineData("How do I connect AirPods to an iPhone?", "How do I connect AirPods to an Android phone?", "names")]
    [InlineData("Compare AWS and Azure.", "Compare Azure and AWS.", "names")]
    public void Incompatible(string a, string b, string expected)
    {
        Assert.False(SemanticGuards.AreCompatible(a, b, out var reason));
        Assert.Equal(expected, reason);
        Assert.False(SemanticGuards.AreCompatible(b, a, out _));
    }
}
