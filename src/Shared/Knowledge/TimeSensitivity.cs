// One source of truth for the knowledge tables (see ModelTier.cs). Keep this file netstandard2.0-compatible: it is
// compiled into the runtime (time-sensitive requests get the short TTL; internal: users configure it through
// PromptCacheOptions) and the analyzers (PO0009).
#nullable enable
using System;
using System.Collections.Generic;

namespace PromptOps.Knowledge
{
    /// <summary>
    /// Finds words that ask about the present — "today", "right now", "the latest version", 今日, 現在, 最新 — and dates
    /// relative to now ("yesterday", "next week", 昨日, 先週), in English and Japanese. An answer to such a question goes
    /// stale, so it must not be cached as long as a definition.
    /// <para>
    /// One linear pass over the text (no regular expressions, so no backtracking): English markers are whole words,
    /// compared without case; Japanese markers are substrings with a few exclusions. Deliberately <b>not</b> markers,
    /// because they usually talk about the input rather than the clock: "current" before a word that names the input or
    /// the program's state ("current directory", "current file", "current message", "current user", …), "latest" before
    /// such a word ("the latest message"), "at the latest" (a deadline), "up to date" / "up-to-date", "recent(ly)",
    /// sentence-initial "Now, …" and "from now on"; in Japanese 今日的 (modern-day), 現在形 / 現在完了 / 現在進行 /
    /// 現在分詞 (grammar), 明日香 (a name), 今回 / 今後 / 今度 and other compounds of 今, ただいま, いまいち, いまさら.
    /// Bare "now" counts when it ends a sentence or the text ("What is the price now?"), or as "right now", "just now",
    /// "as of now"; 今 / いま count before の, は, も, 、, 何 or で (今の天気, いまは).
    /// </para>
    /// </summary>
    internal
    sealed class TimeSensitivity
    {
        /// <summary>The built-in English and Japanese markers only.</summary>
        public static readonly TimeSensitivity Default = new TimeSensitivity(builtIn: true, extraMarkers: null);

        // Markers of one English word.
        private static readonly string[] EnglishWords =
        {
            "today", "tonight", "yesterday", "tomorrow", "currently", "nowadays", "presently", "todays",
        };

        // Markers of several English words; the found marker is reported with single spaces.
        private static readonly string[][] EnglishPhrases =
        {
            new[] { "this", "week" }, new[] { "this", "weekend" }, new[] { "this", "month" }, new[] { "this", "year" },
            new[] { "this", "quarter" }, new[] { "this", "morning" }, new[] { "this", "afternoon" }, new[] { "this", "evening" },
            new[] { "last", "night" }, new[] { "last", "week" }, new[] { "last", "weekend" }, new[] { "last", "month" },
            new[] { "last", "year" }, new[] { "next", "week" }, new[] { "next", "weekend" }, new[] { "next", "month" },
            new[] { "next", "year" }, new[] { "right", "now" }, new[] { "just", "now" }, new[] { "as", "of" },
            new[] { "these", "days" }, new[] { "at", "the", "moment" }, new[] { "at", "present" }, new[] { "most", "recent" },
        };

        // "current X" / "latest X" where X is the input or the program's state, not the world today.
        private static readonly string[] InputNouns =
        {
            "directory", "folder", "dir", "path", "file", "files", "document", "page", "line", "row", "column", "cell",
            "message", "messages", "conversation", "chat", "thread", "turn", "reply", "comment", "email", "ticket", "text",
            "input", "prompt", "question", "request", "query", "task", "step", "item", "entry", "record", "selection",
            "context", "user", "session", "scope", "code", "function", "method", "class", "object", "element", "node",
            "sentence", "paragraph", "section", "chapter", "word", "token", "index", "position", "cursor", "window", "tab",
            "screen", "view", "state", "value", "list", "object's", "one", "draft", "answer", "output", "commit", "branch",
        };

        // The built-in words and phrases by the first letter of their first word ('a'..'z'): one array look-up per word.
        private static readonly Phrase[][] ByFirstLetter = IndexByFirstLetter();

        // The characters a Japanese marker starts with (今 also covers 昨今 / 只今, found from their second character).
        private static readonly char[] JapaneseFirst = { '今', 'い', '本', '現', '最', '直', '昨', '明', '先', '来', '去', '目' };

#if PROMPTOPS_RUNTIME
        private static readonly System.Buffers.SearchValues<char> WordChars =
            System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

        private static readonly System.Buffers.SearchValues<char> JapaneseFirstValues = System.Buffers.SearchValues.Create(JapaneseFirst);
#endif

        private readonly bool _builtIn;
        private readonly Phrase[] _extraWords;   // custom markers made of English-like words (matched as whole words)
        private readonly string[] _extraText;    // custom markers matched as substrings (any other script)

        /// <summary>Creates a detector.</summary>
        /// <param name="builtIn">Use the built-in English and Japanese markers.</param>
        /// <param name="extraMarkers">More markers: words or phrases (matched as whole words, without case) or, for text
        /// without Latin letters, substrings (in any script). Empty entries are ignored.</param>
        public TimeSensitivity(bool builtIn, IEnumerable<string>? extraMarkers)
        {
            _builtIn = builtIn;
            var words = new List<Phrase>();
            var text = new List<string>();
            if (extraMarkers != null)
            {
                foreach (var marker in extraMarkers)
                {
                    if (marker == null || marker.Trim().Length == 0) continue;
                    var m = marker.Trim();
                    var tokens = Words(m.ToLowerInvariant());
                    if (tokens.Count > 0 && HasLatinLetter(m)) words.Add(new Phrase(tokens.ToArray()));
                    else text.Add(m);
                }
            }

            _extraWords = words.ToArray();
            _extraText = text.ToArray();
        }

        /// <summary>The first marker of the present found in <paramref name="text"/> (lower case, e.g. <c>today</c>, <c>right now</c>, <c>今日</c>), or null.</summary>
        public string? Find(string? text)
        {
            if (text == null || text.Length == 0) return null;
            string? found = null;
            if (_builtIn || _extraWords.Length > 0) found = FindEnglish(text);
            if (found == null && _builtIn) found = FindJapanese(text);
            if (found == null)
            {
                foreach (var m in _extraText)
                {
#pragma warning disable CA2249 // string.Contains(string, StringComparison) does not exist in netstandard2.0
                    if (text.IndexOf(m, StringComparison.OrdinalIgnoreCase) >= 0) return m;
#pragma warning restore CA2249
                }
            }

            return found;
        }

        /// <summary>True when <paramref name="text"/> asks about the present (see <see cref="Find"/>).</summary>
        public bool IsTimeSensitive(string? text) => Find(text) != null;

        private string? FindEnglish(string text)
        {
            // No allocation on the way: words are found in place and compared without case (ASCII letters only).
            int p1 = -1, l1 = 0, p2 = -1, l2 = 0; // the previous word and the one before it
            var pos = 0;
            while (NextWord(text, pos, out var start, out var length))
            {
                pos = start + length;
                var t = new Token(start, length);
                foreach (var phrase in _extraWords)
                {
                    if (Matches(text, t, phrase.Words)) return phrase.Text;
                }

                if (_builtIn && FindBuiltIn(text, t, new Token(p1, l1), new Token(p2, l2)) is { } found) return found;
                p2 = p1;
                l2 = l1;
                p1 = start;
                l1 = length;
            }

            return null;
        }

        /// <summary>The built-in English marker that starts at word <paramref name="t"/>, given the two words before it (Start -1: none).</summary>
        private static string? FindBuiltIn(string text, Token t, Token before, Token before2)
        {
            var first = (char)(text[t.Start] | 0x20); // ASCII lower case
            if (first < 'a' || first > 'z') return null;
            foreach (var phrase in ByFirstLetter[first - 'a'])
            {
                if (!Matches(text, t, phrase.Words)) continue;
                if (phrase.Words[0] == "as" && Following(text, t, 2) is { } third && Is(text, third, "yet")) continue; // "as of yet" = so far
                return phrase.Text;
            }

            if (first != 'c' && first != 'l' && first != 'n') return null;
            if (Is(text, t, "current") || Is(text, t, "latest"))
            {
                // "at the latest" is a deadline; "current"/"latest" before a word for the input is about the input.
                if (Is(text, t, "latest") && before.Start >= 0 && Is(text, before, "the") && before2.Start >= 0 && Is(text, before2, "at")) return null;
                if (Following(text, t, 1) is not { } next || !Adjacent(text, t, next) || IsInputNoun(text, next)) return null; // "alternating current."
                return Is(text, t, "current") ? "current" : "latest";
            }

            if (Is(text, t, "now") && NowAsksAboutThePresent(text, t, before)) return "now";
            return null;
        }

        /// <summary>Bare "now" counts at the end of a sentence or of the text, unless it is "from now" / "until now" / "by now".</summary>
        private static bool NowAsksAboutThePresent(string text, Token now, Token before)
        {
            if (before.Start >= 0 && (Is(text, before, "from") || Is(text, before, "until") || Is(text, before, "till") || Is(text, before, "by"))) return false;
            var end = now.Start + now.Length;
            while (end < text.Length && (text[end] == ' ' || text[end] == '\t')) end++;
            return end >= text.Length || text[end] == '?' || text[end] == '.' || text[end] == '!' || text[end] == '\n' || text[end] == '\r'
                || text[end] == '？' || text[end] == '。';
        }

        private static bool IsInputNoun(string text, Token t)
        {
            foreach (var noun in InputNouns)
            {
                if (Is(text, t, noun)) return true;
            }

            return false;
        }

        /// <summary>The word <paramref name="n"/> words after <paramref name="t"/>, or null.</summary>
        private static Token? Following(string text, Token t, int n)
        {
            var pos = t.Start + t.Length;
            Token? found = null;
            for (var k = 0; k < n; k++)
            {
                if (!NextWord(text, pos, out var start, out var length)) return null;
                found = new Token(start, length);
                pos = start + length;
            }

            return found;
        }

        /// <summary>The next word at or after <paramref name="pos"/>: ASCII letters and digits; a possessive 's after it is skipped.</summary>
        private static bool NextWord(string text, int pos, out int start, out int length)
        {
            var i = pos;
            // A possessive 's ("today's") belongs to the word before it.
            if (i + 1 < text.Length && (text[i] == '\'' || text[i] == '’') && (text[i + 1] == 's' || text[i + 1] == 'S')
                && i > 0 && IsWordChar(text[i - 1]) && (i + 2 >= text.Length || !IsWordChar(text[i + 2])))
            {
                i += 2;
            }

            while (i < text.Length && text[i] < 0x80 && !IsWordChar(text[i])) i++; // spaces and punctuation between words
#if PROMPTOPS_RUNTIME
            if (i < text.Length && text[i] >= 0x80)
            {
                // Vectorised skip to the next ASCII letter or digit (long runs of Japanese text have none).
                var skip = text.AsSpan(i).IndexOfAny(WordChars);
                i = skip < 0 ? text.Length : i + skip;
            }
#else
            while (i < text.Length && !IsWordChar(text[i])) i++;
#endif
            start = i;
            while (i < text.Length && IsWordChar(text[i])) i++;
            length = i - start;
            return length > 0;
        }
        private static Phrase[][] IndexByFirstLetter()
        {
            var lists = new List<Phrase>[26];
            for (var k = 0; k < 26; k++) lists[k] = new List<Phrase>();
            foreach (var w in EnglishWords) lists[w[0] - 'a'].Add(w == "todays" ? new Phrase(new[] { w }, "today") : new Phrase(new[] { w }));
            foreach (var p in EnglishPhrases) lists[p[0][0] - 'a'].Add(new Phrase(p));
            var index = new Phrase[26][];
            for (var k = 0; k < 26; k++) index[k] = lists[k].ToArray();
            return index;
        }

        private static int NextJapaneseCandidate(string text, int from)
        {
            if (from >= text.Length) return -1;
#if PROMPTOPS_RUNTIME
            var found = text.AsSpan(from).IndexOfAny(JapaneseFirstValues);
            return found < 0 ? -1 : from + found;
#else
            return text.IndexOfAny(JapaneseFirst, from);
#endif
        }

        private static string? FindJapanese(string text)
        {
            for (var i = NextJapaneseCandidate(text, 0); i >= 0; i = NextJapaneseCandidate(text, i + 1))
            {
                var c = text[i];
                var next = i + 1 < text.Length ? text[i + 1] : '\0';
                var next2 = i + 2 < text.Length ? text[i + 2] : '\0';
                switch (c)
                {
                    case '今':
                        if (next == '日')
                        {
                            if (next2 == '的') break; // 今日的: modern-day
                            return "今日";
                        }

                        if (next == '週') return "今週";
                        if (next == '月') return "今月";
                        if (next == '年') return "今年";
                        if (next == '夜') return "今夜";
                        if (next == '朝') return "今朝";
                        if (i > 0 && (text[i - 1] == '昨' || text[i - 1] == '只')) return text.Substring(i - 1, 2); // 昨今, 只今
                        if (IsNowParticle(next)) return "今";
                        break; // 今回, 今後, 今度, 今更, …
                    case 'い':
                        if (next == 'ま' && IsNowParticle(next2) && !(i > 0 && text[i - 1] == 'た')) return "いま"; // not ただいま
                        break;
                    case '本':
                        if (next == '日') return "本日";
                        break;
                    case '現':
                        if (next == '在')
                        {
                            // Grammar terms: 現在形, 現在完了, 現在進行(形), 現在分詞.
                            if (next2 == '形' || next2 == '完' || next2 == '進' || next2 == '分') break;
                            return "現在";
                        }

                        if (next == '時' && next2 == '点') return "現時点";
                        break;
                    case '最':
                        if (next == '新') return "最新";
                        break;
                    case '直':
                        if (next == '近') return "直近";
                        break;
                    case '昨':
                        if (next == '日') return "昨日";
                        if (next == '年') return "昨年";
                        if (next == '夜') return "昨夜";
                        break;
                    case '明':
                        if (next == '日' && next2 != '香') return "明日"; // not the name 明日香
                        break;
                    case '先':
                        if (next == '週') return "先週";
                        if (next == '月') return "先月";
                        break;
                    case '来':
                        if (next == '週') return "来週";
                        if (next == '月') return "来月";
                        break;
                    case '去':
                        if (next == '年') return "去年";
                        break;
                    case '目':
                        if (next == '下' && (next2 == 'の' || next2 == '、')) return "目下";
                        break;
                }
            }

            return null;
        }

        private static bool IsNowParticle(char c) => c == 'の' || c == 'は' || c == 'も' || c == '、' || c == '何' || c == 'で' || c == '，';

        /// <summary>True when the words from <paramref name="first"/> on are <paramref name="phrase"/>, separated by spaces or a hyphen.</summary>
        private static bool Matches(string text, Token first, string[] phrase)
        {
            if (!Is(text, first, phrase[0])) return false;
            var t = first;
            for (var k = 1; k < phrase.Length; k++)
            {
                if (Following(text, t, 1) is not { } next || !Is(text, next, phrase[k]) || !Adjacent(text, t, next)) return false;
                t = next;
            }

            return true;
        }

        /// <summary>Two words of one phrase: separated by spaces or one hyphen only (not by a full stop or a line break).</summary>
        private static bool Adjacent(string text, Token a, Token b)
        {
            for (var p = a.Start + a.Length; p < b.Start; p++)
            {
                var c = text[p];
                if (c != ' ' && c != '\t' && c != '-' && c != '\'') return false;
            }

            return true;
        }

        private static bool Is(string text, Token t, string word) =>
            t.Length == word.Length && string.Compare(text, t.Start, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0;

        private static bool IsWordChar(char c) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');

        private static bool HasLatinLetter(string s)
        {
            foreach (var c in s)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
            }

            return false;
        }

        private static List<string> Words(string lower)
        {
            var list = new List<string>();
            var pos = 0;
            while (NextWord(lower, pos, out var start, out var length))
            {
                list.Add(lower.Substring(start, length));
                pos = start + length;
            }

            return list;
        }

        /// <summary>A marker of one or more words, with the text reported when it is found (made once, not per request).</summary>
        private sealed class Phrase
        {
            public Phrase(string[] words, string? text = null)
            {
                Words = words;
                Text = text ?? string.Join(" ", words);
            }

            public string[] Words { get; }

            public string Text { get; }
        }

        private readonly struct Token
        {
            public Token(int start, int length)
            {
                Start = start;
                Length = length;
            }

            public int Start { get; }

            public int Length { get; }
        }
    }
}
