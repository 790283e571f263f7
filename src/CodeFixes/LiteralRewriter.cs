using System;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.CodeFixes
{
    /// <summary>
    /// Writes a new value into a string literal of the same kind: a regular literal stays regular (escaped), a verbatim
    /// <c>@"…"</c> stays verbatim with its line breaks, a raw <c>"""…"""</c> stays raw — a multi-line one with the same
    /// indentation and line breaks, one line of source per line of text. Null when the value cannot be written in that
    /// kind (a single-line raw literal cannot hold a line break), so the caller offers no fix rather than another kind.
    /// </summary>
    internal static class LiteralRewriter
    {
        /// <summary>The literal with <paramref name="value"/> in the same kind as <paramref name="literal"/>, trivia kept; null if it cannot be.</summary>
        public static LiteralExpressionSyntax? Rewrite(LiteralExpressionSyntax literal, string value)
        {
            var token = literal.Token;
            string? text;
            switch (token.Kind())
            {
                case SyntaxKind.StringLiteralToken when token.Text.StartsWith("@", StringComparison.Ordinal):
                    text = "@\"" + value.Replace("\"", "\"\"") + "\"";
                    break;
                case SyntaxKind.StringLiteralToken:
                    return literal.WithToken(SyntaxFactory.Literal(value).WithTriviaFrom(token));
                case SyntaxKind.SingleLineRawStringLiteralToken:
                    text = SingleLineRaw(token.Text, value);
                    break;
                case SyntaxKind.MultiLineRawStringLiteralToken:
                    text = MultiLineRaw(token.Text, value);
                    break;
                default:
                    return null; // a UTF-8 literal, a character: not a prompt
            }

            if (text is null) return null;
            // Parse what was written and keep it only if it means exactly the value: never a literal that says something else.
            var parsed = SyntaxFactory.ParseExpression(text) as LiteralExpressionSyntax;
            if (parsed is null || parsed.ContainsDiagnostics || !parsed.Token.IsKind(token.Kind()) || parsed.Token.ValueText != value) return null;
            return literal.WithToken(parsed.Token.WithTriviaFrom(token));
        }

        private static string Quotes(string value, int atLeast)
        {
            var longest = 0;
            var run = 0;
            foreach (var c in value)
            {
                run = c == '"' ? run + 1 : 0;
                longest = Math.Max(longest, run);
            }

            return new string('"', Math.Max(atLeast, longest + 1));
        }

        private static int OpeningQuotes(string text)
        {
            var n = 0;
            while (n < text.Length && text[n] == '"') n++;
            return n;
        }

        private static string? SingleLineRaw(string original, string value)
        {
            if (value.Length == 0 || value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0 || value[0] == '"' || value[value.Length - 1] == '"') return null;
            var quotes = Quotes(value, OpeningQuotes(original));
            return quotes + value + quotes;
        }

        private static string? MultiLineRaw(string original, string value)
        {
            var newLine = original.Contains("\r\n") ? "\r\n" : "\n";
            // The closing line: its whitespace before the quotes is the indentation every content line carries.
            var lastBreak = original.LastIndexOf('\n');
            if (lastBreak < 0) return null;
            var closing = original.Substring(lastBreak + 1);
            var indentation = new string(closing.TakeWhile(c => c == ' ' || c == '\t').ToArray());
            var quotes = Quotes(value, OpeningQuotes(original));
            var sb = new StringBuilder();
            sb.Append(quotes).Append(newLine);
            foreach (var line in value.Replace("\r\n", "\n").Split('\n'))
            {
                if (line.Length > 0) sb.Append(indentation).Append(line.Replace("\r", ""));
                sb.Append(newLine);
            }

            sb.Append(indentation).Append(quotes);
            return sb.ToString();
        }
    }
}
