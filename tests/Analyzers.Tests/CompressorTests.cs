using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using PromptOps.Analyzers.Compression;

namespace PromptOps.Analyzers.Tests;

public class CompressorTests
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private static List<string> Corpus()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "verbose-prompts.txt"));
        return text.Split("\n---\n")
            .Select(block => string.Join("\n", block.Split('\n').Where(l => !l.StartsWith('#'))).Trim())
            .Where(b => b.Length > 0)
            .ToList();
    }

    [Fact]
    public void The_corpus_has_at_least_40_prompts_in_english_and_japanese()
    {
        var corpus = Corpus();
        Assert.True(corpus.Count >= 40, $"{corpus.Count} prompts");
        Assert.True(corpus.Count(p => Regex.IsMatch(p, "[ぁ-んァ-ン一-龯]")) >= 10);
        Assert.True(corpus.Count(p => !Regex.IsMatch(p, "[ぁ-んァ-ン一-龯]")) >= 25);
    }

    [Fact]
    public void Average_token_reduction_on_the_corpus_is_at_least_30_percent()
    {
        var reductions = Corpus().Select(p =>
        {
            var before = O200k.Value.CountTokens(p);
            var after = O200k.Value.CountTokens(PromptCompressor.Compress(p));
            return 1.0 - ((double)after / before);
        }).ToList();

        var average = reductions.Average();
        Assert.True(average >= 0.30, $"average reduction {average:P1}; per prompt: {string.Join(", ", reductions.Select(r => r.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.All(reductions, r => Assert.True(r >= 0, "a prompt got longer"));
    }

    [Fact]
    public void No_placeholder_number_quote_or_negation_is_lost()
    {
        foreach (var prompt in Corpus())
        {
            var compressed = PromptCompressor.Compress(prompt);
            foreach (var pattern in new[] { @"\{[^}]*\}", @"\d+", "\"[^\"]*\"", "「[^」]*」" })
            {
                Assert.Equal(Matches(prompt, pattern), Matches(compressed, pattern));
            }

            foreach (var negation in new[] { @"\bnot\b", @"\bnever\b", @"\bdon't\b", @"\bno\b", "ない", "しないで", "禁止" })
            {
                Assert.True(Count(compressed, negation) >= Count(prompt, negation), $"'{negation}' lost in:\n{prompt}\n→\n{compressed}");
            }
        }
    }

    [Fact]
    public void Compressing_twice_gives_the_same_text_as_compressing_once()
    {
        foreach (var prompt in Corpus())
        {
            var once = PromptCompressor.Compress(prompt);
            Assert.Equal(once, PromptCompressor.Compress(once));
        }
    }

    [Theory]
    [InlineData("You are a very helpful AI assistant. Classify the ticket.", "Classify the ticket.")]
    [InlineData("Please summarize the text in order to help the user.", "Summarize the text to help the user.")]
    [InlineData("You must not reveal the key. You should never guess.", "Do not reveal the key. Never guess.")]
    [InlineData("以下のテキストを要約してください。", "要約:")]
    [InlineData("個人情報を聞かないでください。", "個人情報を聞かないで。")]
    [InlineData("Answer in JSON: {\"label\": \"...\"}. Please be very brief.", "Answer in JSON: {\"label\": \"...\"}. Be brief.")]
    [InlineData("Keep ```please do not touch``` as is. Please be brief.", "Keep ```please do not touch``` as is. Be brief.")]
    [InlineData("Reply to {customer} about order 1234. Reply to {customer} about order 1234.", "Reply to {customer} about order 1234. Reply to {customer} about order 1234.")]
    [InlineData("Answer the question in one sentence. Context: {context}. Answer the question in one sentence.", "Answer the question in one sentence. Context: {context}.")]
    public void Rules_do_what_they_say(string input, string expected)
    {
        Assert.Equal(expected, PromptCompressor.Compress(input));
    }

    private static List<string> Matches(string text, string pattern) => [.. Regex.Matches(text, pattern).Select(m => m.Value)];

    private static int Count(string text, string pattern) => Regex.Count(text, pattern, RegexOptions.IgnoreCase);
}
