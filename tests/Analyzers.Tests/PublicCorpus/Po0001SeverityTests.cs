using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.ML.Tokenizers;
using PromptOps.Analyzers.Compression;
using PromptOps.Analyzers.Infrastructure;
using PromptOps.Analyzers.Rules;
using Xunit.Abstractions;

namespace PromptOps.Analyzers.Tests.PublicCorpus;

/// <summary>
/// PO0001's default thresholds (20 tokens or 15% saved, or over 200 tokens) on prompts written by others: how many get a
/// warning, a suggestion or nothing (printed; docs/rules/PO0001.md quotes it), and the two properties the defaults are
/// chosen for: every prompt of the verbose corpus is reported (most as warnings), and no concise prompt within the size
/// limit gets a warning.
/// </summary>
public class Po0001SeverityTests(ITestOutputHelper output)
{
    private const string ConciseSource = "microsoft/Generative-AI-for-beginners-dotnet";
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private static DiagnosticSeverity? Severity(string text) =>
        VerboseSystemPromptAnalyzer.Severity(O200k.Value.CountTokens(text), O200k.Value.CountTokens(PromptCompressor.Compress(text)), AnalyzerSettings.Defaults);

    /// <summary>The trigger before this version: over 200 tokens, or at least 30% (and 5 tokens) removed by the compressor.</summary>
    private static bool OldRuleWarns(string text)
    {
        int before = O200k.Value.CountTokens(text), after = O200k.Value.CountTokens(PromptCompressor.Compress(text));
        return before > 200 || (before - after >= 5 && (double)(before - after) / before >= 0.3);
    }

    private static string Count(IReadOnlyCollection<DiagnosticSeverity?> severities) => string.Create(CultureInfo.InvariantCulture,
        $"{severities.Count} prompts: {severities.Count(s => s == DiagnosticSeverity.Warning)} warning, {severities.Count(s => s == DiagnosticSeverity.Info)} info, {severities.Count(s => s is null)} none");

    [Fact]
    public void Every_verbose_prompt_is_reported_and_most_are_warnings()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "verbose-prompts.txt"));
        var prompts = text.Split("\n---\n").Select(b => string.Join("\n", b.Split('\n').Where(l => !l.StartsWith('#'))).Trim()).Where(b => b.Length > 0).ToList();
        var severities = prompts.Select(Severity).ToList();
        output.WriteLine("Corpus/verbose-prompts.txt: " + Count(severities) + "; the old trigger warned on " + prompts.Count(OldRuleWarns).ToString(CultureInfo.InvariantCulture));
        Assert.DoesNotContain(null, severities);
        Assert.True(severities.Count(s => s == DiagnosticSeverity.Warning) * 4 >= severities.Count * 3, Count(severities));
    }

    [Fact]
    public void No_concise_prompt_within_the_size_limit_is_a_warning()
    {
        var concise = PublicPromptCorpus.Prompts.Where(p => p.Source == ConciseSource).ToList();
        Assert.NotEmpty(concise);
        var warned = concise.Where(p => O200k.Value.CountTokens(p.Text) <= AnalyzerSettings.DefaultMaxSystemPromptTokens && Severity(p.Text) == DiagnosticSeverity.Warning)
            .Select(p => p.Id).ToList();
        output.WriteLine("concise (" + ConciseSource + "): " + Count(concise.Select(p => Severity(p.Text)).ToList()));
        Assert.Empty(warned);
    }

    [Theory]
    [InlineData("en", "dev")]
    [InlineData("ja", "dev")]
    [InlineData("en", "held-out")]
    [InlineData("ja", "held-out")]
    public void The_public_corpus_split_is_reported(string language, string part)
    {
        var prompts = PublicPromptCorpus.Prompts.Where(p => p.Language == language && p.Part == part && p.Source != ConciseSource).ToList();
        Assert.NotEmpty(prompts);
        var severities = prompts.AsParallel().Select(p => Severity(p.Text)).ToList();
        output.WriteLine($"public corpus {language} {part}: " + Count(severities) + "; the old trigger (over 200 tokens or 30% filler) warned on "
                         + prompts.Count(p => OldRuleWarns(p.Text)).ToString(CultureInfo.InvariantCulture));
        // Every prompt the fix shortens is reported one way or the other; the rest are quiet unless over the limit.
        Assert.All(prompts.Zip(severities), x => Assert.Equal(
            O200k.Value.CountTokens(x.First.Text) > AnalyzerSettings.DefaultMaxSystemPromptTokens || PromptCompressor.Compress(x.First.Text) != x.First.Text
                && O200k.Value.CountTokens(PromptCompressor.Compress(x.First.Text)) < O200k.Value.CountTokens(x.First.Text),
            x.Second is not null));
    }
}
