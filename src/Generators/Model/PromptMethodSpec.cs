using System;

namespace PromptOps.Generators.Model
{
    /// <summary>What the method returns, after unwrapping Task/ValueTask and PromptResult.</summary>
    internal enum ResultKind
    {
        Text,
        Bool,
        Enum,
        Number,
        Json,
        Stream,
    }

    /// <summary>Task, ValueTask or IAsyncEnumerable.</summary>
    internal enum AsyncKind
    {
        Task,
        ValueTask,
        AsyncEnumerable,
    }

    /// <summary>A containing type declaration: keyword (<c>class</c>, <c>record struct</c>, …) and name with type parameters.</summary>
    internal sealed record TypeDeclSpec(string Keyword, string NameWithTypeParameters) : IEquatable<TypeDeclSpec>;

    /// <summary>A piece of a template: literal text, or a parameter reference.</summary>
    internal sealed record TemplatePart(bool IsParameter, string Text) : IEquatable<TemplatePart>;

    /// <summary>A label the model may answer with and the enum member it maps to.</summary>
    internal sealed record EnumLabel(string Label, string Member) : IEquatable<EnumLabel>;

    /// <summary>What the generator can write for a method.</summary>
    internal enum EmitKind
    {
        /// <summary>No errors: the whole body.</summary>
        Body,

        /// <summary>
        /// Errors (reported by the analyzer as PO1xxx), but the declaration can take an implementation part: a body that
        /// throws, so the build shows the PO1xxx error instead of the compiler's CS8795 "must have an implementation part".
        /// </summary>
        Stub,

        /// <summary>No implementation part can be written (not partial, a body already, a containing type not partial, …).</summary>
        Nothing,
    }

    /// <summary>A parameter of the [Prompt] method.</summary>
    internal sealed record ParameterSpec(
        string Name,
        string TypeDisplay,
        bool IsString,
        bool IsCancellationToken,
        bool IsCacheScope,
        int MaxInputTokens,
        bool IsChatClient,
        bool HasEnumeratorCancellation) : IEquatable<ParameterSpec>;

    /// <summary>
    /// Everything the emitter needs to write one [Prompt] method: strings, numbers, enums, bools and equatable
    /// arrays only — never a symbol, syntax node, location or compilation — so the incremental pipeline caches it.
    /// <see cref="SystemTemplate"/> and <see cref="UserTemplate"/> are the attribute's raw strings; the prompt version is
    /// hashed from them and the other settings when the source is written (<c>PromptMethodParser.Version</c>), not in
    /// the transform, which re-runs for every method on every edit.
    /// </summary>
    /// <remarks>
    /// The same spec is read by the cost analyzers (the parser is compiled into them too), so it carries the settings as
    /// the user wrote them where a rule needs that (<see cref="MaxTokensSetting"/>), and it is produced for methods with
    /// errors as well (<see cref="Emit"/> says what the generator may write; the rules judge the prompt regardless).
    /// </remarks>
    internal sealed record PromptMethodSpec(
        EmitKind Emit,
        string TypeKey,
        string? Namespace,
        EquatableArray<TypeDeclSpec> ContainingTypes,
        string MethodName,
        string Accessibility,
        bool IsStatic,
        string ReturnTypeDisplay,
        AsyncKind Async,
        ResultKind Kind,
        bool WrapsPromptResult,
        string ValueTypeDisplay,
        EquatableArray<ParameterSpec> Parameters,
        string? ClientAccess,
        string PromptId,
        string? SystemTemplate,
        string? UserTemplate,
        string? Task,
        string? TierMember,
        string? CacheTtl,
        int MaxOutputTokens,
        int MaxTokensSetting,
        string? TemperatureLiteral,
        string? SemanticThresholdLiteral,
        string? TruncationMember,
        int MaxInputTokens,
        EquatableArray<TemplatePart> System,
        EquatableArray<TemplatePart> User,
        string? Instruction,
        EquatableArray<EnumLabel> EnumLabels,
        string? LengthGuidance,
        string? RangeMinLiteral = null,
        string? RangeMaxLiteral = null,
        bool Deferrable = false) : IEquatable<PromptMethodSpec>;
}
