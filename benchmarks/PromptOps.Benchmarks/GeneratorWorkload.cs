extern alias generators;

using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace PromptOps.Benchmarks;

/// <summary>
/// The inputs of <see cref="GeneratorBenchmarks"/>: two in-memory projects of <see cref="MethodCount"/> attributed
/// methods each (<c>classes</c> partial classes × <c>methodsPerClass</c> methods, one class per syntax tree), one for
/// the PromptOps generator and one for the <c>[LoggerMessage]</c> generator, plus one unrelated file per project
/// whose method body the incremental benchmarks edit. Both are compiled against the same references:
/// the running .NET (TRUSTED_PLATFORM_ASSEMBLIES), M.E.AI, PromptOps.Runtime and Microsoft.Extensions.Logging.Abstractions.
/// </summary>
internal static class GeneratorWorkload
{
    public const int MethodCount = 1000;
    public const string UnrelatedPath = "Unrelated.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IChatClient).Assembly.Location)
            .Append(typeof(PromptAttribute).Assembly.Location)
            .Append(typeof(ILogger).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    /// <summary>The PromptOps generator (<c>PromptOps.Generators.PromptGenerator</c>), as the driver runs it.</summary>
    public static ISourceGenerator PromptOpsGenerator() => new generators::PromptOps.Generators.PromptGenerator().AsSourceGenerator();

    /// <summary>
    /// The <c>[LoggerMessage]</c> generator from Microsoft.Extensions.Logging.Abstractions'
    /// <c>analyzers/dotnet/roslyn4.4/cs</c> folder (built against Roslyn 4.4, so it runs on the Roslyn 4.8 used here).
    /// The path is written into this assembly at build time (see the project file).
    /// </summary>
    public static ISourceGenerator LoggerMessageGenerator()
    {
        var path = typeof(GeneratorWorkload).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "LoggerGeneratorPath").Value!;
        if (!File.Exists(path)) throw new FileNotFoundException("The [LoggerMessage] generator is not in the NuGet cache.", path);
        var type = Assembly.LoadFrom(path).GetTypes()
            .Single(t => typeof(IIncrementalGenerator).IsAssignableFrom(t) && t.GetCustomAttributes<GeneratorAttribute>().Any());
        return ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();
    }

    public static CSharpCompilation PromptOpsProject(int methodsPerClass) =>
        Compile("PromptOpsBench", [Models(), .. Enumerable.Range(0, MethodCount / methodsPerClass).Select(j => PromptClass(j, methodsPerClass))]);

    public static CSharpCompilation LoggerMessageProject(int methodsPerClass) =>
        Compile("LoggerMessageBench", Enumerable.Range(0, MethodCount / methodsPerClass).Select(j => LoggerClass(j, methodsPerClass)));

    /// <summary>The unrelated file: a plain class; <paramref name="variant"/> changes one method body.</summary>
    public static SyntaxTree Unrelated(int variant) => CSharpSyntaxTree.ParseText(
        $$"""
        namespace Bench;

        public static class Unrelated
        {
            public static int Add(int a, int b) => a + b + {{variant}};
        }
        """, ParseOptions, path: UnrelatedPath);

    private static CSharpCompilation Compile(string name, IEnumerable<(string Path, string Text)> files) =>
        CSharpCompilation.Create(
            name,
            files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, path: f.Path)).Append(Unrelated(0)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static (string, string) Models() => ("Models.cs", """
        using System.ComponentModel;

        namespace Bench.Prompts;

        public enum Category
        {
            Billing,
            Bug,
            [Description("feature request")]
            FeatureRequest,
            Account,
            Other,
        }

        public sealed record TicketInfo(string Product, int Severity);
        """);

    /// <summary>A class of PromptOps methods in five shapes: enum, string, bool, JSON record, PromptResult of an enum.</summary>
    private static (string, string) PromptClass(int j, int methodsPerClass)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.Extensions.AI;
            using PromptOps;

            namespace Bench.Prompts;

            public partial class C{{j}}(IChatClient chat)
            {

            """);
        for (var k = 0; k < methodsPerClass; k++)
        {
            var i = (j * methodsPerClass) + k;
            sb.Append(
                (i % 5) switch
                {
                    0 => $$"""
                            [Prompt(Task = "classification", CacheTtl = "static", System = "Classify the ticket.", User = "{ticket}")]
                            public partial Task<Category> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    1 => $$"""
                            [Prompt(Task = "summary", CacheTtl = "daily", System = "Summarize the ticket for an agent.", User = "Ticket: {ticket}")]
                            public partial Task<string> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    2 => $$"""
                            [Prompt(Task = "yes_no", System = "Is the ticket urgent?", User = "{ticket}")]
                            public partial Task<bool> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    3 => $$"""
                            [Prompt(Task = "analysis", System = "Extract the product and the severity (1-5) as JSON.", User = "{ticket}", MaxTokens = 120)]
                            public partial Task<TicketInfo> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    _ => $$"""
                            [Prompt(Task = "classification", CacheTtl = "10m", System = "Classify the ticket.", User = "Customer {customer}: {ticket}")]
                            public partial Task<PromptResult<Category>> M{{i}}Async(string ticket, string customer, CancellationToken ct = default);

                        """,
                });
        }

        sb.Append("}\n");
        return ($"C{j}.cs", sb.ToString());
    }

    /// <summary>A static class of <c>[LoggerMessage]</c> methods (the shape given by the issue).</summary>
    private static (string, string) LoggerClass(int j, int methodsPerClass)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $$"""
            using Microsoft.Extensions.Logging;

            namespace Bench.Logging;

            public static partial class L{{j}}
            {

            """);
        for (var k = 0; k < methodsPerClass; k++)
        {
            var i = (j * methodsPerClass) + k;
            sb.Append(CultureInfo.InvariantCulture, $$"""
                    [LoggerMessage(EventId = {{i}}, Level = LogLevel.Information, Message = "Processed {Ticket} in {Elapsed} ms")]
                    public static partial void M{{i}}(ILogger logger, string ticket, double elapsed);

                """);
        }

        sb.Append("}\n");
        return ($"L{j}.cs", sb.ToString());
    }
}
