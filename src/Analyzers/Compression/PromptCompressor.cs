using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

// This file is compiled into the analyzer (netstandard2.0) and linked into the promptops tool (net10.0, for
// `promptops compress`): the newer APIs these rules suggest (ThrowIfNull, string.Contains(char), EndsWith(char)) do not
// exist on netstandard2.0.
#pragma warning disable CA1510, CA1865, CA2249

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

        // Where a clause can open: the start, after a sentence end, a colon or semicolon, at a line or list-item start, after a
        // linking word ("Then, ", "and "), or after an opener already deleted. A rule that deletes an opener ("I want you
        // to", "You should") only fires here, so "what I want you to do" and "the format you should use" keep their words.
        private const string ClauseStart = @"(?<=(?:^|[.!?:;][ \t]+|\n[ \t]*(?:[-*•+>][ \t]+|\d+[.)][ \t]+|#+[ \t]+)?|\b(?:then|now|next|also|first|finally),?[ \t]+)(?:\uE002[ \t]*)*)";
        // Where a request question can open: a sentence or a line that is not a list item.
        private const string RequestStart = @"(?<=(?:^|[.!?][ \t]+|\n[ \t]*)(?:\uE002[ \t]*)*)";
        // Where a whole sentence can be dropped: its start (not after a linking word, not a list item: a list keeps its items).
        private const string WholeSentenceStart = @"(?<=(?:^|[.!?][ \t]+|\n[ \t]*)(?:\uE002[ \t]*)*)";
        // Verbs that make "You will X" an instruction ("You will create a campaign" → "Create a campaign"), not a statement
        // ("You will be given a text" stays).
        private const string InstructionVerbs = "act|answer|respond|reply|write|create|generate|provide|help|assist|analy[sz]e|review|suggest|translate|explain|develop|choose|select|identify|use|give|ask|summari[sz]e|research|evaluate|design|produce|list|offer|guide|check|correct|draft|prepare|recommend|classify|extract|compose|decide|determine|follow|focus|keep|return|output|describe|present|come up with|make|read|take|treat|include|format|rewrite|edit|improve|find|search|play|pretend|simulate|convert|calculate|compare|explore|outline|propose|plan";
        private const string Pronouns = "us|me|them|him|her|you|everyone|everybody|people|the|a|an|our|my|their|this|that";

        private static readonly (Regex Pattern, string Replacement)[] EnglishRules =
        {
            // "very, very important": one intensifier left for the rule below to remove (not "very, important").
            (R(@"\b(" + Intensifiers + @")(?:,[ \t]*\1)+\b"), "$1"),
            // Whole sentences that carry no instruction: persona filler, greetings, thanks, sign-offs.
            (R(@"\bYou are (?:a|an) (?:(?:" + Intensifiers + @") )?(?:" + Adjectives + @")(?:(?:,|,? and)? (?:(?:" + Intensifiers + @") )?(?:" + Adjectives + @"))* (?:AI |artificial intelligence )?(?:assistant|chatbot|bot|language model|model)[ \t]*[.!]"), ""),
            // "You are a helpful, capable AI assistant that X" → "You are an AI assistant that X": praise that asks nothing
            // (words of tone such as "friendly" or "polite" stay).
            (R(ClauseStart + @"(You are|You're|Act as) (?:a|an) (?:(?:(?:" + Intensifiers + @") )?(?:helpful|useful|capable|smart|intelligent|amazing|excellent|brilliant|world-class|great)(?:,|,? and)? )+(?=(?:AI |artificial intelligence )?(?:assistant|chatbot|bot|language model|model)\b)"), "$1 a \uE002"),
            (R(WholeSentenceStart + @"(?:Hello|Hi|Hey|Greetings|Good (?:morning|afternoon|evening))(?: there)?(?:,? (?:ChatGPT|GPT|Claude|Gemini|AI|assistant|friend|everyone|team))?[ \t]*(?:[!.]+|,)[ \t]*"), ""),
            (R(WholeSentenceStart + @"I hope (?:you are|you're) (?:doing |having )?(?:well|fine|good|great|a (?:good|great|nice) day)[.!]+"), ""),
            (R(WholeSentenceStart + @"(?:Let's (?:get started|begin|start)|Good luck|Have fun)[.!]+"), ""),
            (R(@"\bAs an AI(?: language model| assistant)?,[ \t]*"), ""),
            (R(WholeSentenceStart + @"Thank you(?: so much| very much)?(?: in advance)?(?: for [^.!?\n\d""\uE000]{1,60})?[ \t]*[.!]+"), ""),
            (R(WholeSentenceStart + @"Thanks(?: a lot| so much)?(?: in advance)?(?: for [^.!?\n\d""\uE000]{1,60})?[ \t]*[.!]+"), ""),
            (R(@"\bI (?:really )?(?:hope|trust) (?:this|that) (?:helps|makes sense)[ \t]*[.!]*"), ""),
            // "Please" first, so that the openers below see the clause start it leaves.
            (R(@"\bplease\b(?![ \t]*:),?[ \t]*"), ""),
            (R(@"\bkindly[ \t]+"), ""),
            (R(ClauseStart + @"I would (?:really |greatly )?appreciate (?:it )?if you could[ \t]+"), ""),
            (R(ClauseStart + @"(?:I would like|I'd like|I want|I need) you to[ \t]+"), ""),
            // A question that is a request becomes the request: "Could you summarize it?" → "Summarize it." Not in a list
            // item: "- Can you describe it?" there is a question to someone else.
            (R(RequestStart + @"(?:Could|Can) you ((?:" + InstructionVerbs + @")\b[^?.!\n\uE000]{0,300})\?"), "\uE002$1."),
            (R(RequestStart + @"(?:Could|Can) you (?=(?:" + InstructionVerbs + @")\b)"), ""),
            (R(ClauseStart + @"Your (?:main |primary |only )?(?:task|job|goal|role|mission|objective) (?:is|will be) to[ \t]+"), ""),
            (R(ClauseStart + @"You are (?:being )?(?:asked|required|expected) to[ \t]+"), ""),
            // Negations keep their meaning in a shorter form.
            (R(ClauseStart + @"You (?:must|should|need to|have to) (?:not|never) ever\b"), "Never"),
            (R(ClauseStart + @"You (?:must|should) not\b"), "Do not"),
            (R(ClauseStart + @"You (?:must|should) never\b"), "Never"),
            (R(ClauseStart + @"You (?:must|should|need to|have to) (?=(?:always|only|also|first|then|now|carefully|" + InstructionVerbs + @"|be|stay|remain|avoid|consider|think|adopt|apply|assume|start|begin|end|stop|limit|mention|note|cite|refer|stick|maintain|ensure|make sure|show|tell|let|speak|talk|adapt|adjust|reply|wait)\b)"), ""),
            (R(ClauseStart + @"You will (?=(?:only |also |then |now |first |always )?(?:" + InstructionVerbs + @")\b)"), ""),
            // "It is important that you are X" → "Be X" and "… that you do not X" → "Do not X", as for "Make sure you are"
            // below; the opener alone would leave "Are always polite" (found on the README's own example prompt). Other
            // auxiliaries ("that you have", "that you can") are left as written.
            (R(ClauseStart + @"(?:It is|It's) (?:(?:" + Intensifiers + @"|absolutely|critically) )*(?:important|essential|crucial|vital|imperative) that you(?: are|'re) (always |never )?"), "\uE002$1be "),
            (R(ClauseStart + @"(?:It is|It's) (?:(?:" + Intensifiers + @"|absolutely|critically) )*(?:important|essential|crucial|vital|imperative) that you (?:do not|don't) "), "Do not "),
            (R(ClauseStart + @"(?:It is|It's) (?:(?:" + Intensifiers + @"|absolutely|critically) )*(?:important|essential|crucial|vital|imperative) (?:that you (?!(?:have|had|were|can|could|will|would|won't|may|might|did)\b)|for you to |to (?!(?:" + Pronouns + @")\b))"), ""),
            // "Make sure (that) you X" → "X", with the verb an imperative; "Make sure that the answer is short" → "Ensure the
            // answer is short" (still an instruction, not a statement). Only where it opens a clause: "to ensure its
            // performance" keeps its verb.
            (R(ClauseStart + @"(?:make sure|ensure|be sure) (?:that )?you(?: are|'re) "), "\uE002be "),
            (R(ClauseStart + @"(?:make sure|ensure|be sure) (?:that )?you (?:do not|don't) "), "Do not "),
            (R(ClauseStart + @"(?:make sure|ensure|be sure) (?:that )?you (?!have\b|had\b|were\b|can\b|could\b|will\b|would\b|won't\b|may\b|might\b|did\b)(?=[a-z])"), ""),
            (R(ClauseStart + @"(?:make sure|be sure) to "), ""),
            (R(ClauseStart + @"(?:make sure|be sure|ensure) that "), "Ensure "),
            (R(ClauseStart + @"(?:make sure|be sure) (?=(?:the|your|all|each|every|it|they|there|this|these|those|no|any)\b)"), "Ensure "),
            // Inside a clause only the conjunction goes: "and ensure that the responses stay" → "and ensure the responses stay".
            (R(@"\b(ensure|make sure|be sure) that[ \t]+(?=\w)"), "$1 "),
            (R(ClauseStart + @"(always )?remember to[ \t]+"), "$1"),
            (R(ClauseStart + @"(?:note|keep in mind|bear in mind) that[ \t]+"), ""),
            // An intensifier goes only before a word of emphasis ("very important", "extremely careful"): before a
            // description it can carry meaning ("very short text", "very bearish", "highly available"), and "highly
            // detailed" is an image prompt's own style keyword.
            (R(@"\b(?:" + Intensifiers.Replace("|super", "") + @")[ \t]+(?=(?:important|essential|crucial|critical|careful|carefully|clear|clearly|concise|concisely|brief|briefly|helpful|polite|friendly|accurate|accurately|precise|precisely|strict|strictly|thorough|thoroughly|effective|useful|good|professional|specific|relevant|creative|knowledgeable|skilled|experienced|capable|intelligent|smart|engaging)\b)"), ""),
            (R(@"\b(?:absolutely|basically|actually|definitely|certainly)[ \t]+(?!(?:not|no|nothing|never|necessary|required|needed|must)\b)(?=\w)"), ""),
            (R(@"\b(?:carefully|thoroughly|closely) (?=read|review|analy[sz]e|examine)"), ""),
            (R(@"\b(read|review|analy[sz]e|examine|consider) (?:very )?(?:carefully|thoroughly|closely)\b"), "$1"),
            // Wordy phrases.
            (R(@"\bin order to\b"), "to"),
            (R(@"\bso that you can\b"), "to"),
            (R(@"\bdue to the fact that\b"), "because"),
            (R(@"\bin spite of the fact that\b"), "although"),
            (R(@"\bin the event that\b"), "if"),
            (R(@"\bat this (?:point|moment) in time\b"), "now"),
            (R(@"\b(?:with|in) (?:regard|regards|respect) to\b"), "about"),
            (R(@"\ba (?:large|great) number of\b"), "many"),
            (R(@"\ba (?:wide )?variety of\b"), "various"),
            (R(@"\bmake use of\b"), "use"),
            (R(@"\btake into (?:account|consideration)\b"), "consider"),
            (R(@"\bwhether or not\b"), "whether"),
            (R(@"\bin such a way that\b"), "so that"),
            (R(@"\bon a (daily|weekly|monthly|regular) basis\b"), "$1"),
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
            (R(@"\b(provide|supply|present) you with\b"), "$1"),
            (R(@"\bthe following (text|message|ticket|email|document|review|question|input|content|passage|article)(?=[ \t]*:)"), "the $1"),
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
            // A closing formula or thanks only as a whole sentence: "…でお願いします。" is a request and stays, and
            // "以上、よろしくお願いします。" goes whole (no "以上、" left dangling).
            (R(@"(?<=^|[。！？!?\n][ \t　]*)(?:以上(?:です)?[、。]?[ \t　]*)?(?:どうぞ|何卒)?よろしく(?:お願い(?:いた|致)?します|お願い申し上げます|頼みます)[。！!]*"), ""),
            (R(@"(?<=^|[。！？!?\n][ \t　]*)(?:どうも|本当に)?ありがとう(?:ございます|ございました)?[。！!]+"), ""),
            // An intensifier goes only before a word of emphasis ("非常に重要"); before a description it is a degree ("非常に丁寧、
            // かつ機械的な響き"). 大変だ/大変な/大変です means "hard" and never precedes these words.
            (R(@"(?:非常に|とても|大変|極めて|すごく|本当に)(?=(?:重要|大切|大事|必要|注意|慎重|正確|簡潔|明確|有能|優秀|親切|役立))"), ""),
            (R(@"(?:注意深く|慎重に)(?=読|確認|検討|分析|考|見|チェック)"), ""),
            (R(@"ようにして(?:ください|下さい)"), "こと"),
            (R(@"([てで])(?:いただけますか|いただけますでしょうか|もらえますか)[？?]"), "$1。"),
            (R(@"([てで])ほしいです"), "$1"),
            (R(@"([てで])(?:ください|下さい)"), "$1"),
            (R(@"することが(?:重要|大切|必要)です"), "すること"),
            // 分析することができます → 分析できます (a noun of action before する only: 読むことができる stays).
            (R(@"(?<=[一-龯ァ-ヶー])することができ"), "でき"),
            (R(@"必ず必ず"), "必ず"),
        };

        // Kept as written: code, placeholders ({x}, {{x}}, [x], <x>), quoted text (straight, curly, Japanese) and Markdown
        // table rows (a row's "| ... |" cells are data).
        private static readonly Regex Protected = new Regex(
            "```[\\s\\S]*?```|`[^`\\n]*`|\\{\\{|\\}\\}|\\{[^{}\\n]*\\}|\"[^\"\\n]*\"|“[^”\\n]*”|「[^」\\n]*」|『[^』\\n]*』|\\[[^\\[\\]\\n]{1,60}\\]|<[^<>\\n]{1,60}>|(?<=^|\\n)[ \\t]*\\|[^\\n]*\\|[ \\t]*(?=\\n|$)",
            RegexOptions.CultureInvariant, Timeout);

        private const string Deleted = "\uE002";
        private static readonly Regex AnBeforeConsonantAfterDeletion = new Regex("\\b([Aa])n([ \\t]+\uE002[ \\t\uE002]*)(?=(?!(?:hour|honest|honou?r|heir)\\w*)[b-df-hj-np-tv-z])", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex ABeforeVowelAfterDeletion = new Regex("\\b([Aa])([ \\t]+\uE002[ \\t\uE002]*)(?=[aeio](?!ne\\b|nce\\b)|AI\\b)", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex StartAfterDeletion = new Regex("(^|[.!?][ \\t]+|\\n[ \\t]*(?:[-*•+>][ \\t]+|\\d+[.)][ \\t]+|#+[ \\t]+)?)\uE002[ \\t\uE002]*([a-z])", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex Markers = new Regex("\uE000(\\d+)\uE001", RegexOptions.CultureInvariant, Timeout);
        // Only what a deletion left is tidied (the marker and the spaces around it); the author's own spacing, blank lines,
        // line breaks and punctuation stay as written.
        private static readonly Regex EmptySentence = new Regex("(^|[.!?][ \\t]+|。[ \\t]*)\uE002[ \\t\uE002]*(?:[,;]+|\\.(?![.\\w]))[ \\t]*", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex EmptyLine = new Regex("(?<=^|\\n)[ \\t]*\uE002[ \\t\uE002]*(?:\\r?\\n|$)|\\r?\\n[ \\t]*\uE002[ \\t\uE002]*$", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex GapAtLineStart = new Regex("(?<=^|\\n)([ \\t]*)\uE002[ \\t\uE002]*", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex GapBeforeEnd = new Regex("[ \\t]*\uE002[ \\t\uE002]*(?=\\r?\\n|$|[,;:!?)]|\\.(?![.\\w]))", RegexOptions.CultureInvariant, Timeout);
        private static readonly Regex Gap = new Regex("[ \\t]*\uE002[ \\t\uE002]*", RegexOptions.CultureInvariant, Timeout);

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
            // A shorter phrase takes the case of the one it replaces ("Prior to" → "Before", "and you must not" → "and do not");
            // the marker before it lets Tidy capitalise it where it now opens a sentence.
            foreach (var (pattern, replacement) in EnglishRules)
            {
                text = pattern.Replace(text, m =>
                {
                    var result = m.Result(replacement);
                    return result.Length == 0 ? Deleted : Deleted + MatchCase(m.Value, result);
                });
            }
            foreach (var (pattern, replacement) in JapaneseRules) text = pattern.Replace(text, replacement);
            return text;
        }

        /// <summary>
        /// Drops a prose sentence that repeats an earlier one, word for word (ignoring case and spacing) or in other words
        /// (English: almost all its content words, in the same pairs, are in an earlier sentence, and it adds no number,
        /// negation, quantifier or protected span). Lines of lists, labels ("Label: X"), tables, headings and tags are data,
        /// never dropped (a repeated "Label: X" line after different examples is not a repetition), and a line is never
        /// merged with another: a line whose every sentence was dropped goes whole, with its line break.
        /// </summary>
        private static string DropRepeatedSentences(string text)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var earlier = new Dictionary<string, List<ContentWords>>(StringComparer.Ordinal); // content word → earlier sentences with it
            var sb = new StringBuilder(text.Length);
            var lines = text.Split('\n');
            for (var l = 0; l < lines.Length; l++)
            {
                var line = lines[l];
                var newline = l < lines.Length - 1 ? "\n" : string.Empty;
                if (DataLine.IsMatch(line))
                {
                    sb.Append(line).Append(newline);
                    continue;
                }

                var kept = new StringBuilder(line.Length);
                var dropped = false;
                foreach (Match sentence in SentenceInLine.Matches(line))
                {
                    var value = sentence.Value;
                    if (IsRepeat(value, seen, earlier))
                    {
                        dropped = true;
                        continue;
                    }

                    kept.Append(value);
                }

                var rest = kept.ToString();
                if (dropped && rest.Trim(' ', '\t', '\r', Deleted[0]).Length == 0) continue; // the whole line repeated an earlier one
                if (dropped) rest = rest.TrimEnd(' ', '\t', '\r') + (line.EndsWith("\r", StringComparison.Ordinal) ? "\r" : string.Empty);
                sb.Append(rest).Append(newline);
            }

            return sb.ToString();
        }

        private static bool IsRepeat(string sentence, HashSet<string> seen, Dictionary<string, List<ContentWords>> earlier)
        {
            var trimmed = sentence.TrimEnd();
            if (trimmed.Length == 0 || "。.!?！？".IndexOf(trimmed[trimmed.Length - 1]) < 0) return false; // an unfinished line: data
            var key = Normalize(sentence);
            if (key.Length < 12) return false;
            if (!seen.Add(key)) return true;
            if (sentence.IndexOf('\uE000') >= 0 || NotParaphrasable.IsMatch(sentence)) return false;
            var words = new ContentWords(sentence);
            if (words.Words.Count < 4) return false;

            // A covering sentence has all but a few of this sentence's words (see IsCoveredBy), so it has one of the
            // (few + 1) rarest of them: only the earlier sentences holding one of those are candidates, so long prompts
            // do not cost a comparison of every sentence with every other.
            int Count(string w) => earlier.TryGetValue(w, out var list) ? list.Count : 0;
            var missingAllowed = words.Words.Count - (int)Math.Ceiling(0.85 * words.Words.Count);
            var rarest = new List<string>(words.Words);
            rarest.Sort((a, b) => Count(a).CompareTo(Count(b)));
            var checkedAlready = new HashSet<ContentWords>();
            for (var i = 0; i <= missingAllowed && i < rarest.Count; i++)
            {
                if (!earlier.TryGetValue(rarest[i], out var candidates)) continue;
                foreach (var e in candidates)
                {
                    if (checkedAlready.Add(e) && words.IsCoveredBy(e)) return true;
                }
            }

            foreach (var w in words.Words)
            {
                if (!earlier.TryGetValue(w, out var list)) earlier[w] = list = new List<ContentWords>();
                list.Add(words);
            }

            return false;
        }

        /// <summary>The content words of an English sentence (lower case, a plural "s" dropped, no function words) and their
        /// adjacent pairs, for near-duplicate detection.</summary>
        private sealed class ContentWords
        {
            public ContentWords(string sentence)
            {
                string? previous = null;
                foreach (Match m in Word.Matches(sentence))
                {
                    var w = m.Value.ToLowerInvariant();
                    if (w.EndsWith("'s", StringComparison.Ordinal)) w = w.Substring(0, w.Length - 2);
                    if (w.Length < 3 || FunctionWords.Contains(w)) continue;
                    if (w.Length > 3 && w.EndsWith("s", StringComparison.Ordinal) && !w.EndsWith("ss", StringComparison.Ordinal)) w = w.Substring(0, w.Length - 1);
                    Words.Add(w);
                    if (previous is not null) Pairs.Add(previous + " " + w);
                    previous = w;
                }
            }

            public HashSet<string> Words { get; } = new HashSet<string>(StringComparer.Ordinal);

            public HashSet<string> Pairs { get; } = new HashSet<string>(StringComparer.Ordinal);

            public bool IsCoveredBy(ContentWords other)
            {
                var words = 0;
                foreach (var w in Words) if (other.Words.Contains(w)) words++;
                var pairs = 0;
                foreach (var p in Pairs) if (other.Pairs.Contains(p)) pairs++;
                return words >= 0.85 * Words.Count && (Pairs.Count == 0 || pairs >= 0.5 * Pairs.Count) && words >= 0.6 * other.Words.Count;
            }
        }

        private static readonly HashSet<string> FunctionWords = new HashSet<string>(StringComparer.Ordinal)
        {
            "the", "and", "for", "with", "your", "you", "are", "this", "that", "from", "into", "its", "their", "they", "them", "our",
            "will", "shall", "should", "must", "can", "could", "would", "please", "also", "any", "each", "every", "all", "some",
            "have", "has", "been", "being", "was", "were", "which", "who", "what", "when", "where", "how", "then", "than", "there",
            "here", "about", "such", "more", "most", "very", "just", "make", "sure", "ensure", "always", "remember",
        };

        // A line that is data, not prose: a list item, a label ("Label: X", "Input:"), a table row, a heading, a quote, a tag.
        private static readonly Regex DataLine = new Regex("^[ \\t\uE002]*(?:[-*•+>|#]|\\d+[.)]|<|[^\\s:：.!?。\uE000]{1,40}[:：]|\uE000)", RegexOptions.CultureInvariant, Timeout);
        // A sentence of a line: up to an end mark followed by a space or the line end (not "e.g.", "3.5", ".NET"), or the rest.
        private static readonly Regex SentenceInLine = new Regex("[^。！？]*?(?:[。！？]|[.!?](?=[ \\t]|$))[ \\t]*|[^。！？]+$", RegexOptions.CultureInvariant, Timeout);
        // A sentence with a number, a negation or a quantifier is dropped only when repeated word for word.
        private static readonly Regex NotParaphrasable = new Regex("\\d|\\b(?:not|never|no|none|nothing|only|except|without|unless|cannot|one|two|three|four|five|six|seven|eight|nine|ten|once|twice|first|last|exactly|at least|at most)\\b|n't\\b|[^\\x00-\\x7F\u2018-\u201D\uE002]", Options, Timeout);
        private static readonly Regex Word = new Regex("[A-Za-z][A-Za-z'-]*", RegexOptions.CultureInvariant, Timeout);

        private static string Normalize(string sentence)
        {
            var sb = new StringBuilder(sentence.Length);
            foreach (var c in sentence)
            {
                if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c)); // marker indices are digits: different protected spans differ
            }

            return sb.ToString();
        }

        private static string MatchCase(string original, string replacement)
        {
            if (replacement.Length == 0 || !char.IsLetter(replacement[0])) return replacement;
            var first = char.IsUpper(original[0]) ? char.ToUpperInvariant(replacement[0]) : char.ToLowerInvariant(replacement[0]);
            return first + replacement.Substring(1);
        }

        private static string Tidy(string text)
        {
            text = AnBeforeConsonantAfterDeletion.Replace(text, "$1$2");
            text = ABeforeVowelAfterDeletion.Replace(text, "$1n$2");
            text = StartAfterDeletion.Replace(text, m => m.Groups[1].Value + Deleted + char.ToUpperInvariant(m.Groups[2].Value[0]));
            text = EmptySentence.Replace(text, "$1");
            text = EmptyLine.Replace(text, string.Empty);
            text = GapAtLineStart.Replace(text, "$1");
            text = GapBeforeEnd.Replace(text, string.Empty);
            text = Gap.Replace(text, m => m.Value.IndexOf(' ') >= 0 || m.Value.IndexOf('\t') >= 0 ? " " : string.Empty);
            return text;
        }

        private static Regex R(string pattern) => new Regex(pattern, Options, Timeout);
    }
}
