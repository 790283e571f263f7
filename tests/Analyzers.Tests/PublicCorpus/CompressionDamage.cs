using System.Text.RegularExpressions;

namespace PromptOps.Analyzers.Tests.PublicCorpus;

/// <summary>The kinds of damage a compression can do to a prompt (the classes users found in the fix's output).</summary>
public enum DamageKind
{
    /// <summary>A number (digits or a number word) of the prompt is missing from the output.</summary>
    NumberLost,
    /// <summary>Fewer negations (not, never, no, don't, ない, ません, 禁止, …) in the output than in the prompt.</summary>
    NegationLost,
    /// <summary>A placeholder ({x}, {{x}}, [x], &lt;x&gt;, &lt;&lt;x&gt;&gt;) is missing.</summary>
    PlaceholderLost,
    /// <summary>Quoted text ("…", “…”, 「…」, 『…』) is missing.</summary>
    QuoteLost,
    /// <summary>A code block or inline code (backticks) is missing.</summary>
    CodeLost,
    /// <summary>An output-format instruction (JSON, a table, bullet points, "N words", 箇条書き, …) is missing.</summary>
    FormatSpecLost,
    /// <summary>Compressing the output again changes it.</summary>
    NotIdempotent,
    /// <summary>"a"/"an" disagrees with the next word ("an capable", "a apple") more often than in the prompt.</summary>
    ArticleDisagreement,
    /// <summary>More sentences start in lower case than in the prompt.</summary>
    LowerCaseSentenceStart,
    /// <summary>New ", ," / ",," / ", ." or a space before punctuation ("word ."), "very, important", "e.g.the", an ellipsis lost.</summary>
    BrokenPunctuation,
    /// <summary>The space before ".NET" (or ".js", ".csv", …) was lost ("with.NET").</summary>
    SpaceLostBeforeDotName,
    /// <summary>Japanese: two sentences run together, their 。 lost ("回答して敬語を使う").</summary>
    JapaneseSentencesRunTogether,
    /// <summary>The whole prompt was removed ("You are a useful chatbot." → ""): nothing is left to send.</summary>
    EmptyOutput,
    /// <summary>A fragment left dangling by a deletion ("…で以上、", "掃除がだった", "the.", "to,", "to its performance").</summary>
    DanglingFragment,
    /// <summary>A line of data lost: fewer lines with a label ("Label: X", counted per label), list items or table rows than
    /// in the prompt (the few-shot classifier whose repeated "Measurement System: Metric" lines were dropped).</summary>
    DataLineLost,
    /// <summary>Two lines of the prompt joined into one (the last word of a line and the first of the next now side by side).</summary>
    LinesMerged,
    /// <summary>A statement about the assistant turned into an order it cannot follow ("You will be given a text" → "Be given a
    /// text", "You will not be warned" → "Do not be warned").</summary>
    StatementMadeOrder,
}

/// <summary>
/// Damage checks as code: each compares a prompt with its compressed output and reports what the compression broke.
/// Checks of things that must survive (numbers, negations, placeholders, quotes, code, format specs) compare counts:
/// the output must hold at least as many of each as the prompt. Checks of broken prose count a pattern in both and
/// report only what the compression introduced (public prompts already contain "an useful" and "word ." now and then).
/// </summary>
internal static class CompressionDamage
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;
    private const RegexOptions IgnoreCase = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase;

    private static readonly Regex Numbers = new(@"\d+(?:[.,:/]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|once|twice|single|double|half)\b|[一二三四五六七八九十百千万]+(?=[つ個文字行点項回人日年月週時分秒割倍])", IgnoreCase);
    private static readonly Regex EnglishNegations = new(@"\b(?:not|never|no|none|nothing|nobody|nowhere|neither|nor|cannot|without|avoid|refrain|don't|doesn't|didn't|isn't|aren't|wasn't|weren't|won't|wouldn't|can't|couldn't|shouldn't|mustn't|haven't|hasn't)\b|n't\b", IgnoreCase);
    private static readonly Regex JapaneseNegations = new("ない|ません|禁止|なし|無し|せず|不要|不可|ダメ|だめ|しないで|するな|避け", Options);
    private static readonly Regex Placeholders = new(@"\{\{[^{}\n]*\}\}|\{[^{}\n]*\}|<<[^<>\n]*>>|<[^<>\n]{1,60}>|\[[^\[\]\n]{1,60}\]", Options);
    private static readonly Regex Quotes = new("\"[^\"\\n]*\"|“[^”\\n]*”|「[^」\\n]*」|『[^』\\n]*』", Options);
    private static readonly Regex Code = new("```[\\s\\S]*?```|`[^`\\n]+`", Options);
    private static readonly Regex[] FormatSpecs =
    [
        new(@"\b(?:JSON|YAML|XML|CSV|HTML|Markdown|table|tabular|bullet(?:ed)?(?: points?| list)?|numbered list|list|heading|headings|code block|plain text|one line|one sentence|one word|one paragraph)\b", IgnoreCase),
        new(@"\b\d+\s*(?:words?|sentences?|paragraphs?|characters?|lines?|bullets?|bullet points?|items?|points?|tokens?|steps?|examples?|options?|questions?|ideas?)\b", IgnoreCase),
        new(@"\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:words?|sentences?|paragraphs?|lines?|bullets?|bullet points?|items?|points?|steps?|examples?|options?|questions?|ideas?)\b", IgnoreCase),
        new("箇条書き|表形式|表で|マークダウン|Markdown|JSON|\\d+(?:文字|字|行|文|個|つ|項目|点)|[一二三四五六七八九十]+(?:文字|行|文|個|つ|項目|点)|見出し|一文で|一言で", Options),
    ];

    // "an" before a consonant letter (not h-silent words, not an upper-case abbreviation such as "an SQL", "an LLM"),
    // "a" before a, e, i, o (not "a one", "a once", "a eu…", "a user": u and eu words go either way).
    private static readonly Regex AnBeforeConsonant = new(@"\b[Aa]n\s+(?!(?:[Hh]our|[Hh]onest|[Hh]onou?r|[Hh]eir|[Hh]erb)\w*\b)(?![A-Z]{2,}\b)[bcdfghjklmnpqrstvwxyzBCDFGHJKLMNPQRSTVWXYZ]\w*", Options);
    private static readonly Regex ABeforeVowel = new(@"\b[Aa]\s+(?!one\b|once\b|eu|ewe)(?![A-Z]{2,}\b)[aeioAEIO]\w*", Options);
    private static readonly Regex LowerCaseStart = new(@"(?:\A|[.!?][ \t]+|\n[ \t]*)[a-z]", Options);
    private static readonly Regex BadPunctuation = new(@",[ \t]*,|,[ \t]*[.;:!?]|[ \t]+[,;:!?]|[ \t]+\.(?=\s|\z)", Options);
    // "very, very important" with the second intensifier removed: "very, important".
    private static readonly Regex IntensifierComma = new(@"\b(?:very|really|extremely|highly|incredibly|truly|super|absolutely),\s+(?!(?:very|really|extremely|highly|incredibly|truly|super|absolutely)\b)\w", IgnoreCase);
    // "e.g., the" → "e.g.the", "... " → "." (an ellipsis eaten as an empty sentence).
    private static readonly Regex GluedAbbreviation = new(@"\b(?:e\.g|i\.e|etc|vs)\.[\p{L}""“(\[]", IgnoreCase);
    private static readonly Regex Ellipsis = new(@"\.\.\.|…", Options);
    private static readonly Regex SpaceDotName = new(@"(?<=\s)\.[A-Za-z][A-Za-z0-9]*", Options);
    private static readonly Regex GluedDotName = new(@"\S\.[A-Za-z][A-Za-z0-9]*", Options);
    private static readonly Regex JapaneseEndingThenText = new("(です|ます|ません|ください|して|しない|しないで|する|した|ない|だ|た|る)([\\p{IsHiragana}\\p{IsKatakana}\\p{IsCJKUnifiedIdeographs}A-Za-z]{1,3})", Options);
    private static readonly Regex JapaneseDangling = new("[でにをがとはの](?:以上|[、,]|\\z)|[がを](?:だ|です)", Options);
    private static readonly Regex EnglishDangling = new(@"\b(?:the|a|an|to|of|and|or|with|for|by|your|my)[ \t]*[.,;:!?](?=\s|\z)", IgnoreCase);
    // A verb deleted after "to" ("to ensure its performance" → "to its performance").
    private static readonly Regex ToWithoutVerb = new(@"\bto (?:a|an|the|its|their|his|her|our|all|every|each)\b", IgnoreCase);

    // A label: up to three words at a line start, then a colon and a value ("Measurement System: Metric", "Input: …").
    private static readonly Regex LabelLine = new(@"^[ \t]*([^\s:：|#>*•+-][^\s:：]{0,29}(?:[ \t][^\s:：]{1,30}){0,2})[:：][ \t]*\S", RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex ListItem = new(@"^[ \t]*(?:[-*•+]|\d+[.)])[ \t]+\S", RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex TableRow = new(@"^[ \t]*\|.*\|[ \t]*\r?$", RegexOptions.CultureInvariant | RegexOptions.Multiline);
    private static readonly Regex PassiveOrder = new(@"(?:\A|[.!?][ \t]+|\n[ \t]*)(?:Do not |Don't |Never )?[Bb]e (?:given|told|warned|asked|provided|shown|sent|presented|informed)\b", Options);

    /// <summary>Every damage <paramref name="after"/> shows against <paramref name="before"/>; <paramref name="compress"/>
    /// (when given) is run once more on <paramref name="after"/> for the idempotence check.</summary>
    public static IReadOnlyList<DamageKind> Find(string before, string after, Func<string, string>? compress = null)
    {
        var found = new List<DamageKind>();
        void Check(DamageKind kind, bool damaged)
        {
            if (damaged) found.Add(kind);
        }

        Check(DamageKind.NumberLost, Lost(Numbers, before, after));
        Check(DamageKind.NegationLost, Count(EnglishNegations, after) < Count(EnglishNegations, before) || Count(JapaneseNegations, after) < Count(JapaneseNegations, before));
        Check(DamageKind.PlaceholderLost, Lost(Placeholders, before, after));
        Check(DamageKind.QuoteLost, Lost(Quotes, before, after));
        Check(DamageKind.CodeLost, Lost(Code, before, after));
        Check(DamageKind.FormatSpecLost, FormatSpecs.Any(spec => Lost(spec, before, after)));
        Check(DamageKind.NotIdempotent, compress is not null && compress(after) != after);
        Check(DamageKind.ArticleDisagreement, Introduced(AnBeforeConsonant, before, after) || Introduced(ABeforeVowel, before, after));
        Check(DamageKind.LowerCaseSentenceStart, Introduced(LowerCaseStart, before, after));
        Check(DamageKind.BrokenPunctuation, Introduced(BadPunctuation, before, after) || Introduced(IntensifierComma, before, after)
            || Introduced(GluedAbbreviation, before, after) || Count(Ellipsis, after) < Count(Ellipsis, before));
        Check(DamageKind.SpaceLostBeforeDotName, Count(SpaceDotName, after) < Count(SpaceDotName, before) && Introduced(GluedDotName, before, after));
        Check(DamageKind.JapaneseSentencesRunTogether, JapaneseRunTogether(before, after));
        Check(DamageKind.DanglingFragment, Introduced(JapaneseDangling, before, after) || Introduced(EnglishDangling, before, after) || Introduced(ToWithoutVerb, before, after));
        Check(DamageKind.EmptyOutput, after.Trim().Length == 0 && before.Trim().Length > 0);
        Check(DamageKind.DataLineLost, LabelsLost(before, after) || Count(ListItem, after) < Count(ListItem, before) || Count(TableRow, after) < Count(TableRow, before));
        Check(DamageKind.LinesMerged, LinesMerged(before, after));
        Check(DamageKind.StatementMadeOrder, Introduced(PassiveOrder, before, after));
        return found;
    }

    /// <summary>Some label ("Label:" at a line start) labels fewer lines in <paramref name="after"/> than in <paramref name="before"/>.</summary>
    private static bool LabelsLost(string before, string after)
    {
        var remaining = LabelLine.Matches(after).GroupBy(m => m.Groups[1].Value.Trim()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return LabelLine.Matches(before).GroupBy(m => m.Groups[1].Value.Trim())
            .Any(g => !remaining.TryGetValue(g.Key, out var n) || n < g.Count());
    }

    /// <summary>For two adjacent non-blank lines of the prompt, the last word of the first and the first word of the second
    /// stand side by side on one line of the output (and nowhere on one line of the prompt).</summary>
    private static bool LinesMerged(string before, string after)
    {
        var lines = before.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            var last = Regex.Match(lines[i], @"(\w{3,})\W*$", Options);
            var first = Regex.Match(lines[i + 1], @"^\W*(\w{3,})", Options);
            if (!last.Success || !first.Success) continue;
            var joined = new Regex(@"\b" + Regex.Escape(last.Groups[1].Value) + @"[^\w\n]*" + Regex.Escape(first.Groups[1].Value) + @"\b", Options);
            if (joined.IsMatch(after) && !joined.IsMatch(before)) return true;
        }

        return false;
    }

    /// <summary>A sentence ending directly followed by text in the output that the prompt never had side by side, where the
    /// prompt had that text (up to three characters of it) right after a 。 (or ！？, a line break).</summary>
    private static bool JapaneseRunTogether(string before, string after)
    {
        foreach (Match m in JapaneseEndingThenText.Matches(after))
        {
            if (before.Contains(m.Value, StringComparison.Ordinal)) continue;
            var separated = "[。！？!?\\n]\\s*" + Regex.Escape(m.Groups[2].Value);
            if (Regex.IsMatch(before, separated, Options)) return true;
        }

        return false;
    }

    /// <summary>Some match of <paramref name="pattern"/> occurs fewer times in <paramref name="after"/> than in <paramref name="before"/>
    /// (case-insensitively for words: "Never" for "never" is no loss).</summary>
    private static bool Lost(Regex pattern, string before, string after)
    {
        var remaining = pattern.Matches(after).GroupBy(m => m.Value.ToUpperInvariant()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return pattern.Matches(before).GroupBy(m => m.Value.ToUpperInvariant())
            .Any(g => !remaining.TryGetValue(g.Key, out var n) || n < g.Count());
    }

    private static bool Introduced(Regex pattern, string before, string after) => Count(pattern, after) > Count(pattern, before);

    private static int Count(Regex pattern, string text) => pattern.Count(text);
}
