using System.Globalization;
using PromptOps.Knowledge;
using PromptOps.Tokens;
using Xunit.Abstractions;

namespace PromptOps.Tests.Knowledge;

/// <summary>
/// The stated length of each free-text task fits its output-token limit with margin, measured with the o200k tokenizer on
/// answers of exactly that length (English words, Japanese characters) cut from the sample answers below.
/// </summary>
public class LengthGuidanceTests(ITestOutputHelper output)
{
    // Answers as models write them: support replies, summaries and analysis, with numbers, names and punctuation.
    private const string English =
        "The refund for order 48213 was approved on March 3rd and should reach your card within five to seven business days. " +
        "If it has not arrived by then, please check with your bank first, because some issuers hold credits for an extra day. " +
        "The delay you saw was caused by a payment provider outage that affected roughly 2% of transactions between 14:00 and 16:30 UTC; " +
        "our team has since added a fallback processor, so the same failure should not block checkouts again. " +
        "In summary, the quarterly report shows revenue up 12% year over year, driven mostly by the enterprise plan, " +
        "while churn in the starter tier rose slightly after the price change in January. " +
        "Support volume fell by a fifth once the new onboarding guide went live, and the median first-response time is now under two hours. " +
        "The contract's termination clause allows either party to end the agreement with ninety days' written notice, " +
        "but the liability cap in section 9.2 excludes data-protection breaches, which remain uncapped. " +
        "We recommend negotiating a mutual cap tied to annual fees, clarifying who owns derived analytics, " +
        "and adding a service-level credit of at least 5% for each full hour of downtime beyond the monthly allowance. " +
        "Overall, the proposal is sound, though the migration timeline assumes no parallel running, which is optimistic for a team of four. " +
        "A safer plan keeps the legacy system read-only for one extra sprint and moves reporting last, after the data has been reconciled. ";

    private const string Japanese =
        "ご注文番号48213の返金は3月3日に承認され、5〜7営業日以内にカードへ反映される予定です。" +
        "期日を過ぎても反映されない場合は、まずカード会社にご確認ください。発行会社によっては入金を一日保留することがあります。" +
        "今回の遅延は決済代行会社の障害によるもので、14時から16時30分（協定世界時）の間に全取引の約2%が影響を受けました。" +
        "その後、予備の決済経路を追加したため、同じ障害で購入手続きが止まることは今後ありません。" +
        "四半期報告によると、売上は前年同期比12%増となり、主にエンタープライズプランが成長を牽引しました。" +
        "一方、1月の価格改定後にスタータープランの解約率がやや上昇しています。" +
        "新しい導入ガイドの公開後、問い合わせ件数は約2割減少し、初回応答時間の中央値は2時間未満になりました。" +
        "契約の解除条項では、いずれの当事者も90日前の書面通知により契約を終了できますが、第9.2条の責任上限は個人情報保護違反を除外しており、その責任は無制限のままです。" +
        "年間料金に連動した相互の責任上限の交渉、派生分析データの帰属の明確化、月間許容時間を超える停止1時間ごとに5%以上のサービスクレジットの追加をお勧めします。" +
        "全体として提案は妥当ですが、移行計画は並行稼働を想定しておらず、4人のチームには楽観的です。";

    public static TheoryData<string> FreeTextTasks()
    {
        var data = new TheoryData<string>();
        foreach (var task in PromptTasks.All)
        {
            if (task.LengthWords > 0) data.Add(task.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FreeTextTasks))]
    public void An_answer_of_the_stated_length_fits_the_task_limit_with_margin(string name)
    {
        var task = PromptTasks.Get(name);
        Assert.True(task.LengthCharacters > 0, $"{name} states English words but no Japanese characters");
        var counter = TiktokenTokenCounter.O200k;

        var english = counter.CountTokens(Words(task.LengthWords));
        var japanese = counter.CountTokens(Characters(task.LengthCharacters));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: limit {task.MaxOutputTokens}; {task.LengthWords} words = {english} tokens ({(double)english / task.LengthWords:0.00}/word); " +
            $"{task.LengthCharacters} 文字 = {japanese} tokens ({(double)japanese / task.LengthCharacters:0.00}/char)"));

        Assert.True(task.MaxOutputTokens >= english * LengthGuidance.Margin,
            $"{name}: {task.LengthWords} words take {english} tokens; the limit {task.MaxOutputTokens} leaves less than {LengthGuidance.Margin}x");
        Assert.True(task.MaxOutputTokens >= japanese * LengthGuidance.Margin,
            $"{name}: {task.LengthCharacters} characters take {japanese} tokens; the limit {task.MaxOutputTokens} leaves less than {LengthGuidance.Margin}x");

        // The per-unit estimate the analyzer checks overrides with is not below what was measured.
        Assert.True(LengthGuidance.EstimateTokens(new PromptLength(task.LengthWords, LengthUnit.Words)) >= english);
        Assert.True(LengthGuidance.EstimateTokens(new PromptLength(task.LengthCharacters, LengthUnit.Characters)) >= japanese);
        Assert.True(LengthGuidance.Fits(new PromptLength(task.LengthWords, LengthUnit.Words), task.MaxOutputTokens));
    }

    [Fact]
    public void Tasks_without_a_free_length_state_none()
    {
        foreach (var name in new[] { "classification", "sentiment", "yes_no", "translation", "code_snippet", "full_code" })
        {
            var task = PromptTasks.Get(name);
            Assert.Null(LengthGuidance.ForTask(task, japanese: false, task.MaxOutputTokens));
            Assert.Null(LengthGuidance.ForTask(task, japanese: true, task.MaxOutputTokens));
        }
    }

    [Theory]
    [InlineData("short_answer", false, 50, 30, LengthUnit.Words)]
    [InlineData("short_answer", true, 50, 50, LengthUnit.Characters)]
    [InlineData("summary", false, 100, 60, LengthUnit.Words)]   // a smaller limit states a proportionally smaller length
    [InlineData("summary", true, 400, 400, LengthUnit.Characters)]
    public void The_stated_length_follows_the_limit(string name, bool japanese, int limit, int count, object unit) // LengthUnit is internal
    {
        Assert.Equal(new PromptLength(count, (LengthUnit)unit), LengthGuidance.ForTask(PromptTasks.Get(name), japanese, limit));
    }

    [Fact]
    public void The_sentences_use_the_shared_wording()
    {
        Assert.Equal("Answer in at most 30 words.", LengthGuidance.Sentence(new PromptLength(30, LengthUnit.Words)));
        Assert.Equal("Answer in at most 2 sentences.", LengthGuidance.Sentence(new PromptLength(2, LengthUnit.Sentences)));
        Assert.Equal("40文字以内で答えてください。", LengthGuidance.Sentence(new PromptLength(40, LengthUnit.Characters)));
    }

    [Theory]
    [InlineData("40 words", 40, LengthUnit.Words)]
    [InlineData(" 1 Word ", 1, LengthUnit.Words)]
    [InlineData("2 sentences", 2, LengthUnit.Sentences)]
    [InlineData("100 characters", 100, LengthUnit.Characters)]
    [InlineData("100文字", 100, LengthUnit.Characters)]
    public void Length_settings_parse(string text, int count, object unit) // LengthUnit is internal
    {
        Assert.True(LengthGuidance.TryParse(text, out var length, out var error), error);
        Assert.Equal(new PromptLength(count, (LengthUnit)unit), length);
    }

    [Theory]
    [InlineData("words")]
    [InlineData("0 words")]
    [InlineData("forty words")]
    [InlineData("40 paragraphs")]
    [InlineData("-3 words")]
    [InlineData("40")]
    public void Bad_length_settings_are_refused_with_the_value(string text)
    {
        Assert.False(LengthGuidance.TryParse(text, out _, out var error));
        Assert.Contains("'" + text + "'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Summarize the ticket.", false)]
    [InlineData("チケットを要約してください。", true)]
    [InlineData("Translate to 日本語 please", false)] // kanji alone is not enough (Chinese)
    [InlineData(null, false)]
    public void Japanese_is_detected_from_kana(string? text, bool japanese) => Assert.Equal(japanese, LengthGuidance.IsJapanese(text));

    private static string Words(int count)
    {
        var words = English.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', Enumerable.Range(0, count).Select(i => words[i % words.Length]));
    }

    private static string Characters(int count)
    {
        var text = string.Concat(Enumerable.Repeat(Japanese, (count / Japanese.Length) + 1));
        return text[..count];
    }
}
