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

        /// <summary>True when the text is one string literal, directly or through a const field initialised with one: the fix can rewrite it.</summary>
        public static bool IsRewritable(IOperation operation)
        {
            while (operation is IConversionOperation conversion) operation = conversion.Operand;
            if (operation is ILiteralOperation) return true;
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
