using Microsoft.CodeAnalysis;
using PromptOps.Generators.Model;

namespace PromptOps.Generators.Parsing
{
    /// <summary>What a [Prompt] method returns: Task/ValueTask/IAsyncEnumerable, the value kind, PromptResult wrapping.</summary>
    internal readonly struct ReturnShape
    {
        private ReturnShape(AsyncKind async, ResultKind kind, bool wraps, ITypeSymbol? value, bool supported)
        {
            Async = async;
            Kind = kind;
            WrapsPromptResult = wraps;
            Value = value;
            IsSupported = supported;
        }

        public AsyncKind Async { get; }

        public ResultKind Kind { get; }

        public bool WrapsPromptResult { get; }

        /// <summary>The value type after unwrapping (null when the shape is not recognised at all).</summary>
        public ITypeSymbol? Value { get; }

        public bool IsSupported { get; }

        public static ReturnShape Of(ITypeSymbol returnType)
        {
            var unsupported = new ReturnShape(AsyncKind.Task, ResultKind.Text, false, null, false);
            if (returnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named) return unsupported;
            var definition = named.ConstructedFrom;
            var arg = named.TypeArguments[0];
            if (SymbolFacts.IsNamed(definition, "IAsyncEnumerable", "System", "Collections", "Generic"))
            {
                return new ReturnShape(AsyncKind.AsyncEnumerable, ResultKind.Stream, false, arg, arg.SpecialType == SpecialType.System_String);
            }

            AsyncKind async;
            if (SymbolFacts.IsNamed(definition, "Task", "System", "Threading", "Tasks")) async = AsyncKind.Task;
            else if (SymbolFacts.IsNamed(definition, "ValueTask", "System", "Threading", "Tasks")) async = AsyncKind.ValueTask;
            else return unsupported;

            var wraps = false;
            if (arg is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } inner && SymbolFacts.IsNamed(inner.ConstructedFrom, "PromptResult", "PromptOps"))
            {
                wraps = true;
                arg = inner.TypeArguments[0];
            }

            var kind = ClassifyValue(arg);
            return new ReturnShape(async, kind ?? ResultKind.Text, wraps, arg, kind is not null);
        }

        private static ResultKind? ClassifyValue(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_String: return ResultKind.Text;
                case SpecialType.System_Boolean: return ResultKind.Bool;
                case SpecialType.System_SByte:
                case SpecialType.System_Byte:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                    return ResultKind.Number;
                case SpecialType.System_Object:
                case SpecialType.System_Void:
                    return null;
            }

            if (type.TypeKind == TypeKind.Enum) return ResultKind.Enum;
            if (type.TypeKind is TypeKind.Class or TypeKind.Struct or TypeKind.Array && !type.IsAbstract && type is not IErrorTypeSymbol
                && !(type is INamedTypeSymbol { IsGenericType: true } g && g.ConstructedFrom.SpecialType == SpecialType.System_Nullable_T))
            {
                return ResultKind.Json;
            }

            return null;
        }
    }
}
