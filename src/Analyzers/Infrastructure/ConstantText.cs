using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PromptOps.Analyzers.Infrastructure
{
    /// <summary>The compile-time text of a string expression, followed through const fields and concatenations.</summary>
    internal static class ConstantText
    {
        /// <summary>
        /// The text, or null when nothing is constant. For an interpolated string or a concatenation with non-constant
        /// parts, only the literal parts are returned (what every request pays for at least).
        /// </summary>
        public static string? Of(IOperation? operation)
        {
            if (operation is null) return null;
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            if (operation.ConstantValue.HasValue) return operation.ConstantValue.Value as string;
            switch (operation)
            {
                case IInterpolatedStringOperation interpolated:
                {
                    var sb = new StringBuilder();
                    foreach (var part in interpolated.Parts)
                    {
                        if (part is IInterpolatedStringTextOperation text && text.Text.ConstantValue.Value is string s) sb.Append(s);
                    }

                    return sb.Length == 0 ? null : sb.ToString();
                }

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary:
                {
                    var left = Of(binary.LeftOperand);
                    var right = Of(binary.RightOperand);
                    return left is null && right is null ? null : left + right;
                }

                default:
                    return null;
            }
        }

        /// <summary>The placeholder a non-constant part becomes in <see cref="Template"/> (a span the compressor never edits).</summary>
        public const string HoleName = "PromptOpsHole";

        private static readonly System.Text.RegularExpressions.Regex Hole =
            new System.Text.RegularExpressions.Regex(@"\{" + HoleName + @"\d+\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// The text with each non-constant part (an interpolation hole, a non-constant operand of a concatenation) written as
        /// <c>{PromptOpsHoleN}</c>: what the compress fix compresses, so the analyzer measures the same saving. Null when the
        /// text has no non-constant part (use <see cref="Of"/>).
        /// </summary>
        public static string? Template(IOperation? operation)
        {
            var sb = new StringBuilder();
            var holes = 0;
            if (!Append(operation, sb, ref holes) || holes == 0) return null;
            return sb.ToString();
        }

        /// <summary>The template with its hole placeholders removed (what every request pays for at least).</summary>
        public static string WithoutHoles(string template) => Hole.Replace(template, "");

        private static bool Append(IOperation? operation, StringBuilder sb, ref int holes)
        {
            if (operation is null) return false;
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            if (operation.ConstantValue.HasValue)
            {
                sb.Append(operation.ConstantValue.Value as string);
                return true;
            }

            switch (operation)
            {
                case IInterpolatedStringOperation interpolated:
                    foreach (var part in interpolated.Parts)
                    {
                        if (part is IInterpolatedStringTextOperation text && text.Text.ConstantValue.Value is string s) sb.Append(s);
                        else sb.Append('{').Append(HoleName).Append(holes++).Append('}');
                    }

                    return true;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary:
                    return Append(binary.LeftOperand, sb, ref holes) && Append(binary.RightOperand, sb, ref holes);
                default:
                    sb.Append('{').Append(HoleName).Append(holes++).Append('}');
                    return true;
            }
        }

        /// <summary>
        /// True when the text is one string literal, directly or through a const field initialised with one, or a regular or
        /// verbatim interpolated string: the fix can rewrite it.
        /// </summary>
        public static bool IsRewritable(IOperation operation)
        {
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            if (operation is ILiteralOperation) return true;
            // $"…" / $@"…" (not raw): the fix compresses the literal parts and keeps the holes (InterpolationRewriter).
            if (operation is IInterpolatedStringOperation && operation.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InterpolatedStringExpressionSyntax syntax
                && syntax.StringStartToken.Text is "$\"" or "$@\"" or "@$\"")
            {
                return true;
            }

            if (operation is IFieldReferenceOperation { Field: { IsConst: true } field })
            {
                foreach (var reference in field.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax
                        {
                            Initializer.Value: Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax
                        })
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
