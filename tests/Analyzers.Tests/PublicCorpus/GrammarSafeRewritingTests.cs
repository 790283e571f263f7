using PromptOps.Analyzers.Compression;
using PromptOps.Analyzers.Tests.PublicCorpus;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// Issue #14's "grammar-safe rewriting": each rewrite is a clause- or sentence-level operation that leaves grammatical
/// text, and what carries meaning (statements, data lines, degrees, request endings) stays. Every case is also run
/// through every damage check.
/// </summary>
public class GrammarSafeRewritingTests
{
    [Theory]
    // An instruction stays an instruction: the verb after "make sure (that) you" becomes the imperative; a clause after
    // "make sure that" keeps a verb of instruction ("Ensure") instead of turning into a statement.
    [InlineData("Please make sure that you answer in English.", "Answer in English.")]
    [InlineData("Please make sure that the summary is short.", "Ensure the summary is short.")]
    [InlineData("Make sure you are polite. Be sure to cite sources.", "Be polite. Cite sources.")]
    [InlineData("It is really very important that you are always polite.", "Always be polite.")]
    [InlineData("It is important that you do not guess.", "Do not guess.")]
    [InlineData("It is important that you cite sources.", "Cite sources.")]
    [InlineData("It is important that you have the facts.", "It is important that you have the facts.")]
    [InlineData("Analyze the files and ensure that the responses stay unchanged.", "Analyze the files and ensure the responses stay unchanged.")]
    // No clause kept after its main verb was removed ("…, because us that we do not use clickbait").
    [InlineData("It is very important to us that we do not use clickbait.", "It is important to us that we do not use clickbait.")]
    // Praise of the assistant goes, the article agrees with the word now next to it.
    [InlineData("You are a very capable, highly helpful AI assistant that writes release notes.", "You are an AI assistant that writes release notes.")]
    // A thanks sentence goes whole ("Thank you much in advance" was left before); a greeting too, and a request question
    // becomes the request.
    [InlineData("Thank you very much in advance for your help. Summarize the text.", "Summarize the text.")]
    [InlineData("Hi there! Could you summarize the article in three bullet points?", "Summarize the article in three bullet points.")]
    [InlineData("Build the service with .NET 8. Please deploy it on Azure.", "Build the service with .NET 8. Deploy it on Azure.")]
    // Statements stay statements: only "You will" + a verb of instruction becomes an order; openers only at a clause start.
    [InlineData("You will not be warned. You will be given a text. You will translate it into French.", "You will not be warned. You will be given a text. Translate it into French.")]
    [InlineData("I will speak to you and you will detect the language. Tell me what I want you to do next.", "I will speak to you and you will detect the language. Tell me what I want you to do next.")]
    [InlineData("The format you should use is JSON.", "The format you should use is JSON.")]
    // Questions in a list are addressed to someone else: kept.
    [InlineData("Survey:\n- Would you recommend this event to others?\n- Can you describe the venue?", "Survey:\n- Would you recommend this event to others?\n- Can you describe the venue?")]
    // Few-shot examples and their repeated labels are data.
    [InlineData("Review: great food\nSentiment: positive\nReview: slow service\nSentiment: negative\nReview: tasty\nSentiment: positive", "Review: great food\nSentiment: positive\nReview: slow service\nSentiment: negative\nReview: tasty\nSentiment: positive")]
    // A near-duplicate instruction goes; sentences with the same words in another order that changes the meaning stay.
    [InlineData("Always answer the customer's question politely and briefly. Answer every customer question briefly and politely.", "Always answer the customer's question politely and briefly.")]
    [InlineData("Translate English to French. Translate French to English.", "Translate English to French. Translate French to English.")]
    // An intensifier before a description is a degree ("very short", "very high risk"), not filler.
    [InlineData("Use very short sentences. Mark very high risk items.", "Use very short sentences. Mark very high risk items.")]
    // "highly detailed" is an image prompt's style keyword (f/awesome-chatgpt-prompts, development part), not emphasis.
    [InlineData("Soft shadows, highly detailed, 4k illustration.", "Soft shadows, highly detailed, 4k illustration.")]
    // "Please:" before a list is not removed (it would leave "transcript.:"); Markdown table rows are data.
    [InlineData("The following is a meeting transcript. Please:\n1. List the decisions.", "The following is a meeting transcript. Please:\n1. List the decisions.")]
    [InlineData("| Name | Notes |\n|---|---|\n| a | please be very careful ... |", "| Name | Notes |\n|---|---|\n| a | please be very careful ... |")]
    // Line structure: a line that was only thanks goes with its line break, CRLF stays CRLF; a list keeps its items.
    [InlineData("Please be concise.\r\nThanks!\r\nAnswer in English.", "Be concise.\r\nAnswer in English.")]
    [InlineData("Rules:\n- Be very careful.\n- Thank you for your help!", "Rules:\n- Be careful.\n- Thank you for your help!")]
    // Japanese: a request ending (…でお願いします。) is a request and stays; a closing formula goes whole (no "以上、" left);
    // an intensifier goes only before a word of emphasis.
    [InlineData("回答は日本語でお願いします。次の文章を要約してください。", "回答は日本語でお願いします。次の文章を要約して。")]
    [InlineData("要約してください。以上、よろしくお願いします。", "要約して。")]
    [InlineData("とても重要なので丁寧に答えてください。ありがとうございます。", "重要なので丁寧に答えて。")]
    [InlineData("非常に丁寧、かつ機械的な響きで話す。", "非常に丁寧、かつ機械的な響きで話す。")]
    [InlineData("この資料を確認していただけますか？", "この資料を確認して。")]
    [InlineData("データを分析することができます。本を読むことができます。", "データを分析できます。本を読むことができます。")]
    public void Rewrites_leave_grammatical_text_and_keep_what_carries_meaning(string input, string expected)
    {
        var output = PromptCompressor.Compress(input);
        Assert.Equal(expected, output);
        Assert.Empty(CompressionDamage.Find(input, output, PromptCompressor.Compress));
    }
}
