using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace PromptOps.Analyzers.Compression
{
    /// <summary>
    /// Rule-based prompt compression for English and Japanese. It removes filler (greetings, flattery, "please",
    /// intensifiers, thanks), shortens wordy phrases ("in order to" → "to", 以下のテキストを要約してください → 要約:),
    /// drops an instruction repeated later in the prompt, and collapses whitespace.
    /// <para>It never touches <c>{placeholders}</c>, code blocks and inline code, or quoted text ("…", 「…」, 『…』),
    /// and no rule removes a digit or a negation (not, never, don't, no, ない, しないで, 禁止): "You must not" becomes
    /// "Do not". Output-format instructions are ordinary sentences and are kept. The result is a fixed point: compressing
    /// it again changes nothing. A prompt that is all filler is returned as written (an empty system prompt is no fix).</para>
    /// </summary>
    internal static class PromptCompressor
    {
        private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;
        // A guard against runaway backtracking, not a latency budget: the timeout is wall-clock time, and a compiler
        // thread on a loaded machine can be descheduled for longer than 200 ms (that limit raised AD0001 from
        // PO0001 in a build on a shared 2-core machine, and failed a compressor test now and then).
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

        private const string Adjectives = "helpful|friendly|kind|polite|smart|intelligent|knowledgeable|experienced|expert|professional|world-class|brilliant|capable|useful|amazing|excellent|skilled|talented|dedicated|diligent|careful|thoughtful";
        private const string SentenceOrItemStart = @"(?<=^|[.!?:]\s+|\n[ \t]*(?:[-*•+][ \t]+|\d+[.)][ \t]+)?)";
        private const string Intensifiers = "very|really|extremely|highly|incredibly|truly|super";

        private static readonly (Regex Pattern, string Replacement)[] EnglishRules =
        {
            // "very, very important": one intensifier left for the rule below to remove (not "very, important").
            (R(@"\b(" + Intensifiers + @")(?:,\s*\1)+\b"), "$1"),
            // Whole filler sentences.
            (R(@"\bYou are (?:a|an) (?:(?:" + Intensifiers + @") )?(?:" + Adjectives + @")(?:(?:,|,? and)? (?:(?:" + Intensifiers + @") )?(?:" + Adjectives + @"))* (?:AI |artificial intelligence )?(?:assistant|chatbot|bot|language model|model)\s*[.!]"), ""),
            (R(@"\bAs an AI(?: language model| assistant)?,\s*"), ""),
            (R(@"\bThank you(?: so much| very much)?(?: in advance)?(?: for (?:your|the) (?:help|assistance|time))?\s*[.!]+"), ""),
            (R(@"\bThanks(?: in advance)?(?: for (?:your|the) (?:help|assistance))?\s*[.!]+"), ""),
            (R(@"\bI (?:really )?(?:hope|trust) (?:this|that) (?:helps|makes sense)\s*[.!]*"), ""),
            (R(@"\bI would (?:really |greatly )?appreciate (?:it )?if you could\s+"), ""),
            (R(@"\b(?:I would like|I'd like|I want|I need) you to\s+"), ""),
            (R(@"\b(?:Could|Can|Would|Will) you (?:please )?"), ""),
            (R(@"\b(?:Your (?:main |primary )?(?:task|job|goal|role) (?:is|will be) to)\s+"), ""),
            (R(@"\bYou are (?:being )?(?:asked|required|expected) to\s+"), ""),
            // Negations keep their meaning in a shorter form.
            (R(@"\bYou (?:must|should|will|need to|have to) (?:not|never) ever\b"), "Never"),
            (R(@"\bYou (?:must|should|will) not\b"), "Do not"),
            (R(@"\bYou (?:must|should|will) never\b"), "Never"),
            (R(@"\bYou (?:must|should|need to|have to) (?:always )?"), ""),
            (R(@"\bIt is (?:(?:" + Intensifiers + @"|absolutely|critically) )?(?:important|essential|crucial|vital|imperative) (?:that you |for you to |to )"), ""),
            // Only where it opens a sentence or a list item: "to ensure its performance" keeps its verb.
            (R(SentenceOrItemStart + @"(?:Please )?(?:make sure|ensure|be sure) (?:that )?(?:you )?(?:to )?"), ""),
            (R(@"\b(?:Always )?remember to\s+"), ""),
            (R(@"\bplease\b,?\s*"), ""),
            (R(@"\bkindly\s+"), ""),
            (R(@"\b(?:" + Intensifiers + @"|absolutely|basically|actually|definitely|certainly)\s+(?=\w)"), ""),
            (R(@"\b(?:carefully|thoroughly|closely) (?=read|review|analy[sz]e|examine)"), ""),
            (R(@"\b(read|review|analy[sz]e|examine|consider) (?:very )?(?:carefully|thoroughly|closely)\b"), "$1"),
            // Wordy phrases.
            (R(@"\bin order to\b"), "to"),
            (R(@"\bdue to the fact that\b"), "because"),
            (R(@"\bin spite of the fact that\b"), "although"),
            (R(@"\bin the event that\b"), "if"),
            (R(@"\bat this (?:point|moment) in time\b"), "now"),
            (R(@"\b(?:with|in) (?:regard|regards|respect) to\b"), "about"),
            (R(@"\ba (?:large|great) number of\b"), "many"),
            (R(@"\b(is|are) able to\b"), "can"),
            (R(@"\bhas the (?:ability|capability) to\b"), "can"),
            (R(@"\bfor the purpose of\b"), "for"),
            (R(@"\bprior to\b"), "before"),
            (R(@"\beach and every\b"), "every"),
            (R(@"\bat all times\b"), "always"),
            (R(@"\bin a (?:clear and )?concise (?:manner|way)\b"), "concisely"),
            (R(@"\bin a clear (?:manner|way)\b"), "clearly"),
            (R(@"\b(?:provide|give|write|create|produce) (?:me )?a (?:brief |short |concise )?summary of\b"), "summarize"),
            (R(@"\bmake a decision\b"), "decide"),
            (R(@"\bthe following (text|message|ticket|email|document|review|question|input|content|passage|article)\b"), "the $1"),
            (R(@"\b(?:that|which) is provided (?:below|above)\b"), ""),
            (R(@"\bthat (?:I|we) (?:have )?(?:provided|given|shared|pasted)(?: (?:to you|below|above))?\b"), ""),
            (R(@"\bas (?:accurately|best|well) as (?:you )?(?:possibly )?can\b"), "accurately"),
            (R(@"\bin (?:your|the) (?:response|answer|reply)\b(?=[,.])"), ""),
        };

        private static readonly (Regex Pattern, string Replacement)[] JapaneseRules =
        {
            (R(@"あなたは(?:非常に|とても|大変|極めて|すごく)?(?:優秀|有能|親切|丁寧|賢|優し|頼り|経験豊富)(?:い|な)?(?:AI|ＡＩ)?(?:アシスタント|チャットボット|アシスタントAI)(?:です|だ)[。！!]?"), ""),
            (R(@"以下の(?:テキスト|文章|文|内容|メッセージ|問い合わせ内容|問い合わせ)を(?:よく読んで|読んで)?要約(?:して|を作成して|してください|をお願いします)(?:ください)?[。:：]?"), "要約:"),
            (R(@"以下の(?:テキスト|文章|文|内容|メッセージ)を(?:よく読んで|読んで)?([一-龯ァ-ヶー]{2,6})(?:して|してください)(?:ください)?[。:：]?"), "$1:"),
            (R(@"(?:どうぞ)?(?:よろしく)?お願い(?:いた)?します[。！!]?"), ""),
            (R(@"(?:どうも)?ありがとうございます[。！!]?"), ""),
            (R(@"(?:非常に|とても|大変(?![だなでじ])|極めて|すごく|本当に)"), ""), // 大変だ/大変な/大変です: "hard", not "very"
            (R(@"注意深く|慎重に"), ""),
            (R(@"([てで])ください"), "$1"),
            (R(@"することが(?:重要|大切|必要)です"), "すること"),
            (R(@"必ず必ず"), "必ず"),
        };

        private static readonly Regex Protected = new Regex(
            "```[\\s\\S]*?```|`[^`\\n]*`|\\{\\{|\\}\\}|\\{[^{}\\n]*\\}|\"[^\"\\n]*\"|「[^」\\n]*」|『[^』\\n]*』",
            RegexOptions.CultureInvariant, Timeout);

        private const string Deleted = "\uE002";
        private static readonly Regex AnBeforeConsonantAfterDeletion = new Regex("\\b([Aa])n([ \\t]+\uE002[ \\t\uE002]*)(?=(?!(?:hour|honest|honou?r|heir)\\w*)[b-df-hj-np-tv-z])", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex ABeforeVowelAfterDeletion = new Regex("\\b([Aa])([ \\t]+\uE002[ \\t\uE002]*)(?=[aeio](?!ne\\b|nce\\b))", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex StartAfterDeletion = new Regex("(^|[.!?][ \\t]+|\\n[ \\t]*(?:[-*•+][ \\t]+|\\d+[.)][ \\t]+|#+[ \\t]+)?)\uE002[ \\t\uE002]*([a-z])", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex Markers = new Regex("\uE000(\\d+)\uE001", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex Spaces = new Regex("[ \\t]{2,}", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex SpaceBeforePunctuation = new Regex(" +([,.;:!?])(?!\\w)", RegexOptions.CultureInvariant, Timeout); // not " .NET"
        private static readonly Regex EmptySentence = new Regex("(^|[.!?]\\s+|。\\s*)(?:[,;]+|\\.(?![.\\w]))\\s*", RegexOptions.CultureInvariant, Timeout); // not "e.g., x", "...", ". .NET"
        private static readonly Regex BlankLines = new Regex("\\n\\s*\\n\\s*\\n+", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex TrailingSpaces = new Regex("[ \\t]+\\n", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex SentenceStart = new Regex("(^|(?<!\\.\\.|\\b(?:e\\.g|i\\.e|etc|vs|cf|approx))[.!?] +)([a-z])", RegexOptions.CultureInvariant, Timeout); // not after "...", "e.g.", "etc."

        /// <summary>Compresses <paramref name="text"/> (to a fixed point).</summary>
        public static string Compress(string text)
        {
            if (text is null) throw new ArgumentNullException(nameof(text));
            var current = text;
            for (var i = 0; i < 6; i++)
            {
                var next = Pass(current);
                if (next == current) break;
                current = next;
            }

            // A prompt that is all filler ("You are a useful chatbot.") is kept as written: an empty system prompt is no fix.
            return current.Length == 0 ? text : current;
        }

        private static string Pass(string text)
        {
            // Protected spans are swapped for private-use markers (\uE000 index \uE001) so that no rule and no
            // clean-up can change them, then restored.
            var kept = new List<string>();
            var masked = Protected.Replace(text, m =>
            {
                kept.Add(m.Value);
                return "\uE000" + (kept.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\uE001";
            });

            var result = Tidy(DropRepeatedSentences(Rewrite(masked)));
            return Markers.Replace(result, m => kept[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
        }

        private static string Rewrite(string text)
        {
            // An English deletion leaves a marker (\uE002) so that Tidy can mend what it touches (a sentence start to
            // capitalise, "a"/"an" before the next word) without touching the author's own text; Tidy removes it.
            // A shorter phrase keeps the capital of the one it replaces ("Prior to" → "Before", "The following text" → "The text").
            foreach (var (pattern, replacement) in EnglishRules)
            {
                text = replacement.Length == 0 ? pattern.Replace(text, Deleted) : pattern.Replace(text, m => KeepCapital(m.Value, m.Result(replacement)));
            }
            foreach (var (pattern, replacement) in JapaneseRules) text = pattern.Replace(text, replacement);
            return text;
        }

        /// <summary>Drops a sentence that repeats an earlier one word for word (ignoring case and spacing).</summary>
        private static string DropRepeatedSentences(string text)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var sb = new StringBuilder(text.Length);
            var start = 0;
            for (var i = 0; i <= text.Length; i++)
            {
                var end = i == text.Length || text[i] == '.' || text[i] == '!' || text[i] == '?' || text[i] == '。' || text[i] == '\n';
                if (!end) continue;
                var stop = Math.Min(i + 1, text.Length);
                var sentence = text.Substring(start, stop - start);
                var key = Normalize(sentence);
                if (key.Length >= 12 && !seen.Add(key))
                {
                    // repeated instruction: skip it
                }
                else
                {
                    sb.Append(sentence);
                }

                start = stop;
            }

            return sb.ToString();
        }

        private static string Normalize(string sentence)
        {
            var sb = new StringBuilder(sentence.Length);
            foreach (var c in sentence)
            {
                if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c)); // marker indices are digits: different protected spans differ
            }

            return sb.ToString();
        }

        private static string KeepCapital(string original, string replacement) =>
            replacement.Length > 0 && char.IsUpper(original[0]) && char.IsLower(replacement[0])
                ? char.ToUpperInvariant(replacement[0]) + replacement.Substring(1)
                : replacement;

        private static string Tidy(string text)
        {
            text = text.Replace("\r\n", "\n");
            text = AnBeforeConsonantAfterDeletion.Replace(text, "$1$2");
            text = ABeforeVowelAfterDeletion.Replace(text, "$1n$2");
            text = StartAfterDeletion.Replace(text, m => m.Groups[1].Value + char.ToUpperInvariant(m.Groups[2].Value[0]));
            text = text.Replace(Deleted, string.Empty);
            text = Spaces.Replace(text, " ");
            text = SpaceBeforePunctuation.Replace(text, "$1");
            text = EmptySentence.Replace(text, "$1");
            text = TrailingSpaces.Replace(text, "\n");
            text = BlankLines.Replace(text, "\n\n");
            text = SentenceStart.Replace(text, m => m.Groups[1].Value + char.ToUpperInvariant(m.Groups[2].Value[0]));
            return text.Trim();
        }

        private static Regex R(string pattern) => new Regex(pattern, Options, Timeout);
    }
}
