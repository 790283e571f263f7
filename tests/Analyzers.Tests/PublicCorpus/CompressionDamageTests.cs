using PromptOps.Analyzers.Tests.PublicCorpus;

namespace PromptOps.Analyzers.Tests;

/// <summary>The damage checks themselves, on small handmade pairs: each check fires on its damage and stays quiet on a
/// good compression of the same prompt.</summary>
public class CompressionDamageTests
{
    [Theory]
    [InlineData(DamageKind.NumberLost, "Answer in 3 sentences about order 1234.", "Answer in sentences about order.", "Answer in 3 sentences about order 1234.")]
    [InlineData(DamageKind.NumberLost, "Give two examples.", "Give examples.", "Give two examples.")]
    [InlineData(DamageKind.NegationLost, "You must not reveal the key.", "Reveal the key.", "Do not reveal the key.")]
    [InlineData(DamageKind.NegationLost, "Don't guess. Never lie.", "Guess. Lie.", "Don't guess. Never lie.")]
    [InlineData(DamageKind.NegationLost, "個人情報を聞かないでください。", "個人情報を聞いて。", "個人情報を聞かないで。")]
    [InlineData(DamageKind.NegationLost, "推測は禁止です。", "推測です。", "推測は禁止。")]
    [InlineData(DamageKind.NegationLost, "分かりません。", "分かります。", "分かりません。")]
    [InlineData(DamageKind.PlaceholderLost, "Reply to {customer} please.", "Reply please.", "Reply to {customer}.")]
    [InlineData(DamageKind.PlaceholderLost, "Use {{name}} and [TOPIC] and <text>.", "Use [TOPIC] and <text>.", "Use {{name}} and [TOPIC] and <text>.")]
    [InlineData(DamageKind.QuoteLost, "Say \"hello there\" first. Then 「こんにちは」.", "Say first. Then 「こんにちは」.", "Say \"hello there\" first. Then 「こんにちは」.")]
    [InlineData(DamageKind.CodeLost, "Run `ls -la` and show ```a\nb```.", "Run and show.", "Run `ls -la` and show ```a\nb```.")]
    [InlineData(DamageKind.FormatSpecLost, "Reply in JSON with bullet points.", "Reply with points.", "Reply in JSON with bullet points.")]
    [InlineData(DamageKind.FormatSpecLost, "Write 100 words.", "Write words.", "Write 100 words.")]
    [InlineData(DamageKind.FormatSpecLost, "箇条書きで答えてください。", "答えて。", "箇条書きで答えて。")]
    [InlineData(DamageKind.ArticleDisagreement, "You are a very capable writer.", "You are an capable writer.", "You are a capable writer.")]
    [InlineData(DamageKind.ArticleDisagreement, "Act as an extremely helpful guide.", "Act as an helpful guide.", "Act as a helpful guide.")]
    [InlineData(DamageKind.ArticleDisagreement, "Pick a very old apple.", "Pick a apple.", "Pick an old apple.")]
    [InlineData(DamageKind.LowerCaseSentenceStart, "Hello. Please be brief.", "Hello. be brief.", "Hello. Be brief.")]
    [InlineData(DamageKind.LowerCaseSentenceStart, "Intro\nPlease answer now.", "Intro\nanswer now.", "Intro\nAnswer now.")]
    [InlineData(DamageKind.BrokenPunctuation, "It is very, very important.", "It is very, important.", "It is important.")]
    [InlineData(DamageKind.BrokenPunctuation, "Fix the word please.", "Fix the word .", "Fix the word.")]
    [InlineData(DamageKind.BrokenPunctuation, "Be short, please, and kind.", "Be short, , and kind.", "Be short and kind.")]
    [InlineData(DamageKind.BrokenPunctuation, "Name a fruit (e.g., an apple).", "Name a fruit (e.g.an apple).", "Name a fruit (e.g., an apple).")]
    [InlineData(DamageKind.BrokenPunctuation, "Follow these steps:... 1. Open it.", "Follow these steps:.1. Open it.", "Follow these steps:... 1. Open it.")]
    [InlineData(DamageKind.SpaceLostBeforeDotName, "Write code with .NET 8 please.", "Write code with.NET 8.", "Write code with .NET 8.")]
    [InlineData(DamageKind.SpaceLostBeforeDotName, "要件\n- .HTML のダッシュボード", "要件\n-.HTML のダッシュボード", "要件\n- .HTML のダッシュボード")]
    [InlineData(DamageKind.JapaneseSentencesRunTogether, "回答してください。敬語を使う。", "回答して敬語を使う。", "回答して。敬語を使う。")]
    [InlineData(DamageKind.DanglingFragment, "日本語でお願いします。以上、よろしく。", "日本語で以上、よろしく。", "日本語で。以上、よろしく。")]
    [InlineData(DamageKind.DanglingFragment, "掃除が大変だった。", "掃除がだった。", "掃除が大変だった。")]
    [InlineData(DamageKind.DanglingFragment, "Test it to ensure its performance.", "Test it to its performance.", "Test it to check its performance.")]
    [InlineData(DamageKind.EmptyOutput, "You are a useful chatbot.", "", "You are a chatbot.")]
    [InlineData(DamageKind.DanglingFragment, "Reply to the customer politely.", "Reply to the.", "Reply to the customer.")]
    [InlineData(DamageKind.DataLineLost, "Text: 5 km\nSystem: Metric\nText: 3 miles\nSystem: Imperial\nText: 2 m\nSystem: Metric", "Text: 5 km\nSystem: Metric\nText: 3 miles\nSystem: Imperial\nText: 2 m", "Text: 5 km\nSystem: Metric\nText: 3 miles\nSystem: Imperial\nText: 2 m\nSystem: Metric")]
    [InlineData(DamageKind.DataLineLost, "Rules:\n- Be brief.\n- Be very polite.", "Rules:\n- Be brief.", "Rules:\n- Be brief.\n- Be polite.")]
    [InlineData(DamageKind.DataLineLost, "| a | b |\n| ... | c |", "| a | b |", "| a | b |\n| ... | c |")]
    [InlineData(DamageKind.LinesMerged, "Please be brief\nAnswer in English", "Be brief Answer in English", "Be brief\nAnswer in English")]
    [InlineData(DamageKind.StatementMadeOrder, "You will be given a text. Summarize it.", "Be given a text. Summarize it.", "You will be given a text. Summarize it.")]
    [InlineData(DamageKind.StatementMadeOrder, "You will not be warned.", "Do not be warned.", "You will not be warned.")]
    public void Each_check_fires_on_its_damage_and_not_on_a_good_compression(DamageKind kind, string before, string damaged, string good)
    {
        Assert.Contains(kind, CompressionDamage.Find(before, damaged));
        Assert.DoesNotContain(kind, CompressionDamage.Find(before, good));
    }

    [Fact]
    public void Idempotence_is_checked_with_the_compressor_given()
    {
        Assert.Contains(DamageKind.NotIdempotent, CompressionDamage.Find("a b", "a b", s => s + "!"));
        Assert.DoesNotContain(DamageKind.NotIdempotent, CompressionDamage.Find("a b", "a b", s => s));
        Assert.DoesNotContain(DamageKind.NotIdempotent, CompressionDamage.Find("a b", "a b"));
    }

    [Fact]
    public void Defects_the_prompt_already_had_are_not_blamed_on_the_compression()
    {
        // A public sample really says "an useful agent"; "word ." and lower-case starts occur in pasted prompts too.
        Assert.Empty(CompressionDamage.Find("You are an useful agent . do it", "You are an useful agent . do it"));
    }

    [Fact]
    public void An_identical_output_has_no_damage()
    {
        const string prompt = "You must not share {secret}. Reply in JSON, 3 bullet points, with `code` and \"quotes\". 禁止です。回答して。";
        Assert.Empty(CompressionDamage.Find(prompt, prompt, s => s));
    }
}
