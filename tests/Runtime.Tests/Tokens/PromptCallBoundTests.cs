using PromptOps.CodeGen;
using PromptOps.Tokens;

namespace PromptOps.Tests.Tokens;

/// <summary>
/// Generated [Prompt] clients check MaxInputTokens and truncate arguments with o200k. While the tokenizer is still loading
/// (the test's own "not loaded"), what fits within the UTF-8 byte bound passes untouched without waiting; nothing is
/// refused or cut on the bound: longer texts are counted exactly, with the same results as once it is loaded.
/// </summary>
public sealed class PromptCallBoundTests
{
    private static readonly string Short = "Classify this ticket: my parcel is late.";
    private static readonly string Long = string.Join(' ', Enumerable.Repeat("parcel", 300)); // ~300 tokens, ~2,100 bytes

    [Fact]
    public void An_input_within_the_bound_passes_and_a_longer_one_is_judged_exactly()
    {
        PromptCall.CheckInputTokens("p", Short.Length, "Be brief.", Short, loaded: false); // bytes ≤ limit: passes

        var exact = TiktokenTokenCounter.O200k.CountTokens(Long);
        PromptCall.CheckInputTokens("p", exact, null, Long, loaded: false); // bytes over the limit, tokens within: passes

        var e = Assert.Throws<PromptInputTooLongException>(() => PromptCall.CheckInputTokens("p", exact - 1, null, Long, loaded: false));
        Assert.Equal(exact, e.Tokens);
        Assert.Equal(e.Message, Assert.Throws<PromptInputTooLongException>(() => PromptCall.CheckInputTokens("p", exact - 1, null, Long, loaded: true)).Message);
    }

    [Fact]
    public void Truncation_on_the_bound_returns_what_fits_untouched_and_cuts_the_rest_exactly()
    {
        Assert.Same(Short, PromptCall.Truncate(Short, Short.Length, loaded: false));
        foreach (var max in new[] { 0, 1, 50, 299, 300, 5_000 })
        {
            Assert.Equal(PromptCall.Truncate(Long, max, loaded: true), PromptCall.Truncate(Long, max, loaded: false));
        }
    }
}
