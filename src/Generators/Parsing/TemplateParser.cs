using System.Collections.Generic;
using System.Text;
using PromptOps.Generators.Model;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// Splits a prompt template into literal text and <c>{name}</c> placeholders; <c>{{</c> and <c>}}</c> are literal
    /// braces. Placeholders are C# identifiers (an optional leading <c>@</c> is dropped).
    /// </summary>
    internal static class TemplateParser
    {
        /// <summary>Parses <paramref name="template"/>; on failure <paramref name="error"/> names the problem and its position.</summary>
        public static bool TryParse(string template, out List<TemplatePart> parts, out string? error, out int errorPosition)
        {
            parts = new List<TemplatePart>();
            error = null;
            errorPosition = -1;
            var literal = new StringBuilder();
            var i = 0;
            while (i < template.Length)
            {
                var c = template[i];
                if (c == '{')
                {
                    if (i + 1 < template.Length && template[i + 1] == '{')
                    {
                        literal.Append('{');
                        i += 2;
                        continue;
                    }

                    var close = template.IndexOf('}', i + 1);
                    if (close < 0)
                    {
                        error = "an unmatched '{'";
                        errorPosition = i;
                        return false;
                    }

                    var name = template.Substring(i + 1, close - i - 1).Trim();
                    if (name.StartsWith("@", System.StringComparison.Ordinal)) name = name.Substring(1);
                    if (!IsIdentifier(name))
                    {
                        error = "'{" + template.Substring(i + 1, close - i - 1) + "}', which is not a parameter name";
                        errorPosition = i;
                        return false;
                    }

                    if (literal.Length > 0)
                    {
                        parts.Add(new TemplatePart(false, literal.ToString()));
                        literal.Clear();
                    }

                    parts.Add(new TemplatePart(true, name));
                    i = close + 1;
                    continue;
                }

                if (c == '}')
                {
                    if (i + 1 < template.Length && template[i + 1] == '}')
                    {
                        literal.Append('}');
                        i += 2;
                        continue;
                    }

                    error = "an unmatched '}'";
                    errorPosition = i;
                    return false;
                }

                literal.Append(c);
                i++;
            }

            if (literal.Length > 0) parts.Add(new TemplatePart(false, literal.ToString()));
            return true;
        }

        private static bool IsIdentifier(string name)
        {
            if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_')) return false;
            foreach (var ch in name)
            {
                if (!(char.IsLetterOrDigit(ch) || ch == '_')) return false;
            }

            return true;
        }
    }
}
