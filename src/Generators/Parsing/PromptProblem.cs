using Microsoft.CodeAnalysis;

namespace PromptOps.Generators.Parsing
{
    /// <summary>
    /// What can be wrong with a <c>[Prompt]</c> declaration. The parser names the problem; the PO1xxx descriptors
    /// (<c>DiagnosticDescriptors</c>, in the generator assembly only) turn it into a diagnostic. The parser is also
    /// compiled into the cost analyzers, which read the spec and never report these.
    /// </summary>
    internal enum PromptProblem
    {
        MustBePartial,
        HasBody,
        UnsupportedReturnType,
        UnsupportedParameter,
        NoChatClient,
        SeveralChatClients,
        UnknownTask,
        InvalidCacheTtl,
        UnknownPlaceholder,
        UnusedParameter,
        InvalidSetting,
        ConflictingSettings,
        TypeMustBePartial,
        MalformedTemplate,
        EmptyPrompt,
        InvalidLength,
        LengthDoesNotFit,
    }

    /// <summary>One problem found by the parser: what, where, and the message arguments.</summary>
    internal readonly struct ParseDiagnostic
    {
        public ParseDiagnostic(PromptProblem problem, Location? location, object[] args)
        {
            Problem = problem;
            Location = location;
            Args = args;
        }

        public PromptProblem Problem { get; }

        public Location? Location { get; }

        public object[] Args { get; }

        /// <summary>Warnings leave the method valid (the body is still written); every other problem is an error.</summary>
        public static bool IsError(PromptProblem problem) =>
            problem is not (PromptProblem.UnusedParameter or PromptProblem.ConflictingSettings or PromptProblem.LengthDoesNotFit);
    }
}
