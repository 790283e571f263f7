using PromptOps.Analyzers.Compression;

namespace PromptOps.Analyzers.Tests;

/// <summary>The first damage classes found on the public corpus (development part), fixed in the compressor: each
/// case failed before its fix.</summary>
public class CompressorRepairTests
{
    [Theory]
    // "very, very important" lost only its second intensifier: "very, important".
    [InlineData("Be very, very careful with the data.", "Be careful with the data.")]
    // "a"/"an" agree with the word a deletion brought next to them.
    [InlineData("I want to create a highly effective prompt.", "I want to create an effective prompt.")]
    [InlineData("Act as an extremely helpful guide.", "Act as a helpful guide.")]
    // A sentence or list item whose opener was deleted starts with a capital, also on a new line.
    [InlineData("Write the tests.\nYour task is to test the functionality.", "Write the tests.\nTest the functionality.")]
    // "Ensure X" with X a clause stays: without its verb the instruction would become a statement ("Tests cover all branches.").
    [InlineData("Rules:\n- Ensure tests cover all branches.", "Rules:\n- Ensure tests cover all branches.")]
    // "ensure" is a verb inside a sentence: only an opening "Ensure" / "Make sure" is filler.
    [InlineData("Test it to ensure its performance.", "Test it to ensure its performance.")]
    // No ", " eaten after an abbreviation, no ellipsis shortened, no capital after "..." or "etc.", no space lost before ".NET".
    [InlineData("Name a fruit (e.g., an apple)... then stop.", "Name a fruit (e.g., an apple)... then stop.")]
    [InlineData("Scan package.json, composer.json etc. for the stack.", "Scan package.json, composer.json etc. for the stack.")]
    [InlineData("Follow these steps:... 1. Open it.", "Follow these steps:... 1. Open it.")]
    [InlineData("Build it with .NET 8 and deploy.", "Build it with .NET 8 and deploy.")]
    [InlineData("要件\n- .HTML のダッシュボード", "要件\n- .HTML のダッシュボード")]
    // A shorter phrase keeps the capital of the phrase it replaces.
    [InlineData("Read it.\nPrior to answering, think.", "Read it.\nBefore answering, think.")]
    [InlineData("Prior to answering, think.", "Before answering, think.")]
    // "the following text" keeps "following" unless a colon shows what follows: "end with the following text" points below.
    [InlineData("The following text is a review.", "The following text is a review.")]
    [InlineData("Classify the following text: {text}", "Classify the text: {text}")]
    // A prompt that is all filler is kept, not emptied.
    [InlineData("You are a useful chatbot.", "You are a useful chatbot.")]
    // 大変だ means "hard", not "very".
    [InlineData("掃除が大変だった。", "掃除が大変だった。")]
    public void Compression_leaves_no_damage_of_these_kinds(string input, string expected)
    {
        var output = PromptCompressor.Compress(input);
        Assert.Equal(expected, output);
        Assert.Empty(PublicCorpus.CompressionDamage.Find(input, output, PromptCompressor.Compress));
    }
}
