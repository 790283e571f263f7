using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("PromptOps.Package.Tests.PackageTestFramework", "PromptOps.Package.Tests")]

namespace PromptOps.Package.Tests;

/// <summary>
/// Lines these tests print while they run — each <c>dotnet</c> step (pack, new, add package, build, run, format) as it
/// starts and ends — so a run of this project, which takes minutes, is never silent. They go to xUnit's diagnostic
/// messages, which <c>dotnet test</c> shows live at its default verbosity when <c>diagnosticMessages</c> is on
/// (<c>xunit.runner.json</c> beside the tests turns it on).
/// </summary>
internal static class Progress
{
    private static IMessageSink? _sink;

    /// <summary>Set once by <see cref="PackageTestFramework"/> before any test runs.</summary>
    internal static void Attach(IMessageSink sink) => _sink = sink;

    /// <summary>Prints <paramref name="line"/> now (nothing when no runner listens, e.g. a debugger session).</summary>
    public static void Report(string line) => _sink?.OnMessage(new DiagnosticMessage(line));
}

/// <summary>
/// xUnit's own test framework, which also hands its diagnostic message sink to <see cref="Progress"/> (the one place
/// xUnit v2 gives a test assembly that sink without a fixture on every class).
/// </summary>
public sealed class PackageTestFramework : XunitTestFramework
{
    /// <summary>Creates the framework and attaches <see cref="Progress"/> to <paramref name="messageSink"/>.</summary>
    public PackageTestFramework(IMessageSink messageSink)
        : base(messageSink)
    {
        Progress.Attach(messageSink);
    }
}
