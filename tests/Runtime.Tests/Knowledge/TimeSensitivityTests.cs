using PromptOps.Knowledge;

namespace PromptOps.Tests.Knowledge;

/// <summary>The detector of questions about the present (shared by the cache and analyzer PO0009): both sides, en and ja.</summary>
public class TimeSensitivityTests
{
    [Theory]
    [InlineData("What is the USD/JPY rate today?", "today")]
    [InlineData("Summarise today's headlines.", "today")]
    [InlineData("Who is the CEO of OpenAI right now", "right now")]
    [InlineData("Who is the prime minister now?", "now")]
    [InlineData("What is the current exchange rate?", "current")]
    [InlineData("Which version is currently supported?", "currently")]
    [InlineData("What is the latest version of .NET?", "latest")]
    [InlineData("Any outages this week?", "this week")]
    [InlineData("Sales figures for this month, please.", "this month")]
    [InlineData("What changed this year in the tax rules?", "this year")]
    [InlineData("Is the store open tonight?", "tonight")]
    [InlineData("Prices as of now", "as of")]
    [InlineData("What happened yesterday in Tokyo?", "yesterday")]
    [InlineData("Will it rain tomorrow?", "tomorrow")]
    [InlineData("Summarise last week's incidents", "last week")]
    [InlineData("Is the team hiring at the moment?", "at the moment")]
    [InlineData("WHAT IS THE WEATHER TODAY", "today")]
    public void English_questions_about_the_present_are_found(string text, string marker) =>
        Assert.Equal(marker, TimeSensitivity.Default.Find(text));

    [Theory]
    [InlineData("List the files in the current directory.")]
    [InlineData("Translate the current message into French.")]
    [InlineData("Reply to the latest comment politely.")]
    [InlineData("Send it by Friday at the latest.")]
    [InlineData("Make sure the document is up to date with the style guide.")]
    [InlineData("Use up-to-date terminology.")]
    [InlineData("Now, classify the ticket below.")]
    [InlineData("From now on, answer in French.")]
    [InlineData("Explain alternating current.")]
    [InlineData("What is the capital of France?")]
    [InlineData("Summarise the text: the snow melted and the river rose.")]
    [InlineData("I know the answer; do you?")] // "know" is not "now"
    [InlineData("Define photosynthesis in one sentence.")]
    [InlineData("")]
    public void English_text_that_does_not_ask_about_the_present_is_not_flagged(string text) =>
        Assert.Null(TimeSensitivity.Default.Find(text));

    [Theory]
    [InlineData("今日の東京の天気は？", "今日")]
    [InlineData("本日の為替レートを教えてください。", "本日")]
    [InlineData("現在の日本の首相は誰ですか？", "現在")]
    [InlineData("最新のiPhoneは？", "最新")]
    [InlineData("今週の予定をまとめて", "今週")]
    [InlineData("今月の売上は？", "今月")]
    [InlineData("今年の祝日を一覧にして", "今年")]
    [InlineData("直近の障害を教えて", "直近")]
    [InlineData("今の気温は何度？", "今")]
    [InlineData("いまは何時ですか", "いま")]
    [InlineData("昨日のニュースを要約して", "昨日")]
    [InlineData("明日の天気は？", "明日")]
    [InlineData("先週の売上は？", "先週")]
    [InlineData("只今の待ち時間は？", "只今")]
    public void Japanese_questions_about_the_present_are_found(string text, string marker) =>
        Assert.Equal(marker, TimeSensitivity.Default.Find(text));

    [Theory]
    [InlineData("現在形と過去形の違いを説明してください。")] // present tense (grammar)
    [InlineData("現在完了を使った例文を三つ")] // present perfect
    [InlineData("今日的な課題について論じてください。")] // modern-day
    [InlineData("明日香という名前の由来は？")] // a name
    [InlineData("今回の問い合わせを分類してください。")] // this time (the input)
    [InlineData("今後はこの形式で答えてください。")] // from now on
    [InlineData("ただいま。")] // greeting
    [InlineData("この説明はいまいちです。")] // "not quite"
    [InlineData("光合成を一文で説明してください。")]
    [InlineData("日本の首都はどこですか？")]
    public void Japanese_text_that_does_not_ask_about_the_present_is_not_flagged(string text) =>
        Assert.Null(TimeSensitivity.Default.Find(text));

    [Fact]
    public void Own_markers_are_added_to_the_built_in_ones_or_replace_them()
    {
        var added = new TimeSensitivity(builtIn: true, ["this sprint", "今季"]);
        Assert.Equal("this sprint", added.Find("What is planned for THIS  sprint?"));
        Assert.Equal("今季", added.Find("今季のアニメは？"));
        Assert.Equal("today", added.Find("What is the rate today?"));
        Assert.Null(added.Find("What is a sprint?"));

        var only = new TimeSensitivity(builtIn: false, ["this sprint"]);
        Assert.Null(only.Find("What is the rate today?"));
        Assert.Null(only.Find("今日の天気"));
        Assert.Equal("this sprint", only.Find("Goals of this sprint"));
    }

    [Fact]
    public void A_long_text_without_markers_is_scanned_to_its_end_and_a_marker_at_the_end_is_found()
    {
        // Linear scan, no backtracking: a 200k-character input is no special case.
        var filler = string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog, ", 4_500));
        Assert.Null(TimeSensitivity.Default.Find(filler));
        Assert.Equal("today", TimeSensitivity.Default.Find(filler + "what is the rate today?"));
        Assert.Equal("最新", TimeSensitivity.Default.Find(filler + "最新"));
    }

    [Fact]
    public void Checking_a_request_without_markers_allocates_nothing()
    {
        // It runs on every cacheable request, hits included: no lower-case copy, no word list.
        const string English = "Classify the support ticket by what it is about: the invoice for March shows a double charge of 30 EUR.";
        const string Japanese = "請求書に二重請求があります。返金してください。";
        Assert.Null(TimeSensitivity.Default.Find(English));
        Assert.Null(TimeSensitivity.Default.Find(Japanese));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            TimeSensitivity.Default.Find(English);
            TimeSensitivity.Default.Find(Japanese);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
