using System;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using PromptOps.Generators.Model;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// The prompt version: a hash of the templates and the settings that change the answer. Computed by the emitter (only
    /// when a file is written), from the spec alone.
    /// </summary>
    internal static class PromptVersion
    {
        [ThreadStatic]
        private static SHA256? t_sha;

        public static string Of(PromptMethodSpec spec)
        {
            // The prompt's identity and the settings that change the answer. The id (which names the parameter types of an
            // overload) keeps two prompts' cached answers apart even when their text is the same. The TTL is left out on
            // purpose: changing how long answers are kept does not make the kept answers wrong.
            var sb = new StringBuilder("promptops-version-2\u001e");
            sb.Append(spec.PromptId).Append('\u001e').Append(spec.SystemTemplate).Append('\u001e').Append(spec.UserTemplate).Append('\u001e').Append(spec.Task).Append('\u001e')
              .Append(spec.MaxOutputTokens.ToString(CultureInfo.InvariantCulture)).Append('\u001e').Append(spec.TierMember).Append('\u001e')
              .Append(spec.TemperatureLiteral).Append('\u001e').Append(spec.MaxInputTokens.ToString(CultureInfo.InvariantCulture)).Append('\u001e')
              .Append(spec.Kind.ToString()).Append('\u001e').Append(spec.ValueTypeDisplay).Append('\u001e').Append(spec.Instruction).Append('\u001e');
            // The length guidance is part of the prompt the model reads; prompts without one keep their earlier version.
            if (spec.LengthGuidance is not null) sb.Append("length=").Append(spec.LengthGuidance).Append('\u001e');
            foreach (var p in spec.Parameters.Where(p => p.MaxInputTokens > 0))
            {
                sb.Append(p.Name).Append('=').Append(p.MaxInputTokens.ToString(CultureInfo.InvariantCulture)).Append('\u001e');
            }

            var sha = t_sha ??= SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(sb.ToString()));
            var hex = new StringBuilder(16);
            for (var i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }
    }
}
