using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PromptOps.CodeFixes
{
    /// <summary>
    /// Compresses the literal parts of an interpolated string and leaves its holes untouched: each hole becomes a
    /// <c>{PromptOpsHoleN}</c> placeholder (a span the compressor never edits), the text is compressed, and the string is
    /// written back with the original holes — only when every hole comes back exactly once and in its order. Regular
    /// <c>$"…"</c> and verbatim <c>$@"…"</c> strings; raw interpolated strings and strings with literal braces are left
    /// alone (null).
    /// </summary>
    internal static class InterpolationRewriter
    {
        private const string HoleName = PromptOps.Analyzers.Infrastructure.ConstantText.HoleName;
        private static readonly Regex Hole = new Regex(@"\{" + HoleName + @"(\d+)\}", RegexOptions.CultureInvariant);

        /// <summary>The rewritten string, or null when there is nothing to compress or it cannot be done safely.</summary>
        public static InterpolatedStringExpressionSyntax? Compress(InterpolatedStringExpressionSyntax node, Func<string, string> compress)
        {
            var start = node.StringStartToken.Text;
            if (!(start == "$\"" || start == "$@\"" || start == "@$\"")) return null; // raw: not rewritten
            var verbatim = start.IndexOf('@') >= 0;
            var holes = new List<string>();
            var template = new StringBuilder();
            foreach (var content in node.Contents)
            {
                switch (content)
                {
                    case InterpolatedStringTextSyntax text:
                        var value = text.TextToken.ValueText;
                        if (value.IndexOf('{') >= 0 || value.IndexOf('}') >= 0 || value.Contains(HoleName)) return null;
                        template.Append(value);
                        break;
                    case InterpolationSyntax interpolation:
                        template.Append('{').Append(HoleName).Append(holes.Count).Append('}');
                        holes.Add(interpolation.ToString());
                        break;
                    default:
                        return null;
                }
            }

            var original = template.ToString();
            var compressed = compress(original);
            if (compressed == original) return null;
            var matches = Hole.Matches(compressed);
            if (matches.Count != holes.Count) return null;
            var written = new StringBuilder(start);
            var last = 0;
            for (var i = 0; i < matches.Count; i++)
            {
                if (matches[i].Groups[1].Value != i.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null; // a hole moved or was duplicated
                written.Append(Escape(compressed.Substring(last, matches[i].Index - last), verbatim)).Append(holes[i]);
                last = matches[i].Index + matches[i].Length;
            }

            written.Append(Escape(compressed.Substring(last), verbatim)).Append('"');
            // Parse what was written and keep it only if its literal parts and holes are exactly the compressed template.
            if (SyntaxFactory.ParseExpression(written.ToString()) is not InterpolatedStringExpressionSyntax parsed || parsed.ContainsDiagnostics) return null;
            var check = new StringBuilder();
            var hole = 0;
            foreach (var content in parsed.Contents)
            {
                if (content is InterpolatedStringTextSyntax text) check.Append(text.TextToken.ValueText);
                else if (content is InterpolationSyntax interpolation && hole < holes.Count && interpolation.ToString() == holes[hole]) check.Append('{').Append(HoleName).Append(hole++).Append('}');
                else return null;
            }

            return check.ToString() == compressed && hole == holes.Count ? parsed.WithTriviaFrom(node) : null;
        }

        private static string Escape(string text, bool verbatim)
        {
            if (verbatim) return text.Replace("\"", "\"\"");
            var literal = SymbolDisplay.FormatLiteral(text, quote: true);
            return literal.Substring(1, literal.Length - 2);
        }
    }
}
