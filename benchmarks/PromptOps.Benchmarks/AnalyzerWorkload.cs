extern alias generators;

using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.Extensions.AI;

namespace PromptOps.Benchmarks;

/// <summary>The two projects of <see cref="AnalyzerBenchmarks"/>.</summary>
public enum AnalyzerProject
{
    /// <summary>1,000 files of ordinary code that uses M.E.AI and references PromptOps, without a single prompt.</summary>
    PromptFree,

    /// <summary>
    /// 1,000 <c>[Prompt]</c> methods (50 classes × 20, ten shapes) and 100 raw <c>GetResponseAsync</c> calls, with the
    /// code the PromptOps generator writes for them, as in a build.
    /// </summary>
    Prompts,

    /// <summary>
    /// <see cref="Prompts"/> with the generator's <c>[GeneratedCode]</c> attribute removed from the generated
    /// implementation part of every <c>[Prompt]</c> method (it stays on the generated fields). With the attribute, Roslyn
    /// treats each <c>[Prompt]</c> method as generated code (a partial method's attributes are merged from both parts),
    /// so the cost analyzers, which skip generated code, never see one; this project measures them as if they did.
    /// </summary>
    PromptsUnmarked,
}

/// <summary>
/// The inputs of <see cref="AnalyzerBenchmarks"/> and of <c>benchmarks/analyzer-report.sh</c> (which writes the same
/// sources to disk with <c>--write-analyzer-workloads</c> and builds them with the real compiler): the two projects'
/// source files, the analyzers, and the options they run with.
/// <para>Both projects are compiled against the same references: the running .NET (TRUSTED_PLATFORM_ASSEMBLIES),
/// Microsoft.Extensions.AI.Abstractions and PromptOps.Runtime, so every PromptOps analyzer finds the types it looks
/// for (<c>IChatClient</c>, <c>ChatOptions</c>, <c>ChatMessage</c>, <c>PromptAttribute</c>) and registers all its
/// actions in both.</para>
/// </summary>
internal static class AnalyzerWorkload
{
    public const int FileCount = 1000;
    public const int PromptClasses = 50;
    public const int PromptsPerClass = 20;
    public const int RawFiles = 50;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(IChatClient).Assembly.Location)
            .Append(typeof(PromptAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    /// <summary>
    /// The analyzers a build with PromptOps runs: every <c>[DiagnosticAnalyzer]</c> of PromptOps.Analyzers (the six cost
    /// rules) and of PromptOps.Generators (<c>PromptMethodAnalyzer</c>, PO1xxx), found by reflection.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers() =>
        [.. new[] { typeof(PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer).Assembly, typeof(generators::PromptOps.Generators.PromptMethodAnalyzer).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    /// <summary>No additional files and an empty <c>.editorconfig</c>: every analyzer runs with its defaults.</summary>
    public static readonly AnalyzerOptions Options = new([], EmptyConfig.Provider);

    private static readonly string[] SdkAnalyzerFiles = ["Microsoft.CodeAnalysis.NetAnalyzers.dll", "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll"];

    /// <summary>
    /// The analyzers of the .NET SDK that every build of a net10.0 project runs by default (<c>EnableNETAnalyzers</c>):
    /// Microsoft.CodeAnalysis.NetAnalyzers and Microsoft.CodeAnalysis.CSharp.NetAnalyzers from the SDK that built this
    /// project (path written at build time, see the project file). Run with <see cref="SdkCompilationOptions"/> and
    /// <see cref="SdkOptions"/>, as the SDK passes them.
    /// </summary>
    public static ImmutableArray<DiagnosticAnalyzer> SdkAnalyzers()
    {
        var folder = typeof(AnalyzerWorkload).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SdkAnalyzersPath").Value!;
        var loader = new LoadFromLoader();
        var analyzers = SdkAnalyzerFiles
            .Select(name => Path.Combine(folder, name))
            .Select(path => File.Exists(path) ? new AnalyzerFileReference(path, loader) : throw new FileNotFoundException("No SDK analyzers here.", path))
            .SelectMany(reference =>
            {
                var failures = new List<string>();
                reference.AnalyzerLoadFailed += (_, e) => failures.Add(e.Message);
                var found = reference.GetAnalyzers(LanguageNames.CSharp);
                return failures.Count == 0 ? found : throw new InvalidOperationException($"{reference.FullPath}: {string.Join("; ", failures.Take(3))}");
            });
        return [.. analyzers];
    }

    /// <summary>
    /// The SDK's default severities for its analyzers: <c>analysislevel_10_default.globalconfig</c> (SDK 10.0.401) keeps
    /// every rule at its default except CA1516, which it turns off.
    /// </summary>
    public static CSharpCompilation WithSdkSeverities(CSharpCompilation compilation) =>
        compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CA1516", ReportDiagnostic.Suppress)));

    /// <summary>
    /// The global options the SDK passes to analyzers for a net10.0 class library (its generated
    /// <c>*.GeneratedMSBuildEditorConfig.editorconfig</c>: <c>build_property.*</c>); no <c>.editorconfig</c> keys.
    /// </summary>
    public static readonly AnalyzerOptions SdkOptions = new([], new GlobalConfig(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["build_property.TargetFramework"] = "net10.0",
        ["build_property.TargetFrameworkIdentifier"] = ".NETCoreApp",
        ["build_property.TargetFrameworkVersion"] = "v10.0",
        ["build_property._SupportedPlatformList"] = "Linux,macOS,Windows",
        ["build_property.EffectiveAnalysisLevelStyle"] = "10.0",
    }));

    /// <summary>As a command-line build runs analyzers: concurrently, without timing them.</summary>
    public static CompilationWithAnalyzersOptions AnalysisOptions(bool logTimes = false, Action<Exception, DiagnosticAnalyzer, Diagnostic>? onException = null, AnalyzerOptions? options = null) =>
        new(options ?? Options, onException, concurrentAnalysis: true, logAnalyzerExecutionTime: logTimes, reportSuppressedDiagnostics: false);

    /// <summary>The source files of a project (for the <c>Prompts</c> project, without the generated code).</summary>
    public static IReadOnlyList<(string Path, string Text)> Sources(AnalyzerProject project) => project switch
    {
        AnalyzerProject.PromptFree => [.. Enumerable.Range(0, FileCount).Select(PlainFile)],
        // The same sources; the projects differ in the generated code (see Compilation).
        _ => [Models(), .. Enumerable.Range(0, PromptClasses).Select(PromptClass), .. Enumerable.Range(0, RawFiles).Select(RawFile)],
    };

    /// <summary>
    /// The project as the analyzers see it in a build: the sources, plus (for <c>Prompts</c>) the code the PromptOps
    /// generator writes for them, added once here so that no row measures the generator.
    /// </summary>
    public static CSharpCompilation Compilation(AnalyzerProject project)
    {
        var compilation = CSharpCompilation.Create(
            project + "Bench",
            Sources(project).Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, path: f.Path)),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        if (project == AnalyzerProject.PromptFree) return compilation;

        CSharpGeneratorDriver.Create([GeneratorWorkload.PromptOpsGenerator()], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        if (!generatorDiagnostics.IsEmpty) throw new InvalidOperationException("Generator diagnostics: " + string.Join(Environment.NewLine, generatorDiagnostics.Take(5)));
        if (project == AnalyzerProject.Prompts) return (CSharpCompilation)output;

        var unmarked = output;
        foreach (var tree in output.SyntaxTrees.Skip(compilation.SyntaxTrees.Length))
        {
            var root = tree.GetRoot();
            var implementations = root.DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Body is not null && m.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
            if (implementations.Count == 0) throw new InvalidOperationException("No generated [Prompt] method implementation in " + tree.FilePath);
            root = root.ReplaceNodes(implementations, (_, m) => m.WithAttributeLists(SyntaxFactory.List(
                m.AttributeLists.Where(l => !l.Attributes.Any(a => a.Name.ToString().EndsWith("CodeDom.Compiler.GeneratedCode", StringComparison.Ordinal))))));
            unmarked = unmarked.ReplaceSyntaxTree(tree, tree.WithRootAndOptions(root, tree.Options));
        }

        return (CSharpCompilation)unmarked;
    }

    /// <summary>
    /// Writes the projects' sources for a real build (<c>benchmarks/analyzer-report.sh</c>):
    /// <c>{directory}/PromptFree</c> and <c>{directory}/Prompts</c> (the sources; the build runs the generator),
    /// <c>{directory}/PromptsGenerated</c> (the code the generator writes for <c>Prompts</c>, for a build of that project
    /// without PromptOps) and <c>{directory}/PromptsUnmarked</c> (the sources plus that code without
    /// <c>[GeneratedCode]</c> on the <c>[Prompt]</c> method implementations, for a build with the analyzers and without
    /// the generator). Generated files keep their <c>.g.cs</c> names and <c>// &lt;auto-generated/&gt;</c> headers.
    /// </summary>
    public static void Write(string directory)
    {
        WriteFiles(Path.Combine(directory, "PromptFree"), Sources(AnalyzerProject.PromptFree));
        WriteFiles(Path.Combine(directory, "Prompts"), Sources(AnalyzerProject.Prompts));
        var sourceCount = Sources(AnalyzerProject.Prompts).Count;
        WriteFiles(Path.Combine(directory, "PromptsGenerated"), Generated(Compilation(AnalyzerProject.Prompts), sourceCount));
        WriteFiles(Path.Combine(directory, "PromptsUnmarked"), [.. Sources(AnalyzerProject.PromptsUnmarked), .. Generated(Compilation(AnalyzerProject.PromptsUnmarked), sourceCount)]);

        static IReadOnlyList<(string Path, string Text)> Generated(Compilation compilation, int sourceCount) =>
            [.. compilation.SyntaxTrees.Skip(sourceCount).Select(t => (Path.GetFileName(t.FilePath), t.GetText().ToString()))];

        static void WriteFiles(string folder, IReadOnlyList<(string Path, string Text)> files)
        {
            Directory.CreateDirectory(folder);
            foreach (var (path, text) in files) File.WriteAllText(Path.Combine(folder, path), text);
            Console.WriteLine($"{folder}: {files.Count} files");
        }
    }

    // ---- the prompt-free project ----------------------------------------------------------------------------------

    /// <summary>
    /// One file of ordinary code, four shapes in turn: a service that holds an <c>IChatClient</c> (and only asks it for
    /// services or disposes it, and builds <c>ChatOptions</c> without a model), records with LINQ, a parser with loops and
    /// <c>StringBuilder</c>, and an async pipeline stage that holds an <c>IChatClient</c>. No chat call, no message, no
    /// <c>[Prompt]</c>.
    /// </summary>
    private static (string, string) PlainFile(int i)
    {
        var area = i % 20;
        var text = (i % 4) switch
        {
            0 => $$"""
                using System;
                using System.Collections.Generic;
                using System.Linq;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.AI;

                namespace Bench.App.Area{{area}};

                public sealed class Service{{i}} : IDisposable
                {
                    private readonly IChatClient _chat;
                    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

                    public Service{{i}}(IChatClient chat) => _chat = chat;

                    public ChatClientMetadata? Metadata => _chat.GetService<ChatClientMetadata>();

                    public int Count(IEnumerable<string> words)
                    {
                        foreach (var word in words)
                        {
                            _counts[word] = _counts.TryGetValue(word, out var n) ? n + 1 : 1;
                        }

                        return _counts.Count;
                    }

                    public IReadOnlyList<string> Top(int n) =>
                        _counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(n).Select(p => p.Key).ToList();

                    public async Task<int> DelayedAsync(int x, CancellationToken ct)
                    {
                        await Task.Delay(x, ct).ConfigureAwait(false);
                        return x * {{i}};
                    }

                    public ChatOptions Options(float temperature) => new() { Temperature = temperature, TopP = 0.9f };

                    public void Dispose() => _chat.Dispose();
                }
                """,
            1 => $$"""
                using System;
                using System.Collections.Generic;
                using System.Globalization;
                using System.Linq;

                namespace Bench.App.Area{{area}};

                public sealed record Order{{i}}(int Id, string Customer, decimal Amount, DateTimeOffset Placed);

                public static class OrderStats{{i}}
                {
                    public static decimal Total(IEnumerable<Order{{i}}> orders) => orders.Sum(o => o.Amount);

                    public static IReadOnlyDictionary<string, decimal> ByCustomer(IEnumerable<Order{{i}}> orders) =>
                        orders.GroupBy(o => o.Customer, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(o => o.Amount), StringComparer.Ordinal);

                    public static string Describe(Order{{i}} order) => order.Amount switch
                    {
                        < 10m => $"small order {order.Id}",
                        < 100m => $"order {order.Id} for {order.Customer}",
                        _ => string.Create(CultureInfo.InvariantCulture, $"large order {order.Id}: {order.Amount:F2} on {order.Placed:yyyy-MM-dd}"),
                    };

                    public static Order{{i}}? Latest(IReadOnlyList<Order{{i}}> orders) => orders.Count == 0 ? null : orders.MaxBy(o => o.Placed);

                    public static List<Order{{i}}> Sample() =>
                    [
                        new Order{{i}}(1, "a", 5m, DateTimeOffset.UnixEpoch),
                        new Order{{i}}(2, "b", 50m, DateTimeOffset.UnixEpoch.AddDays({{i}})),
                    ];
                }
                """,
            2 => $$"""
                using System;
                using System.Text;

                namespace Bench.App.Area{{area}};

                public class Parser{{i}}
                {
                    private readonly char _separator;

                    public Parser{{i}}(char separator = ',') => _separator = separator;

                    public int[] ParseNumbers(string line)
                    {
                        var parts = line.Split(_separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        var result = new int[parts.Length];
                        for (var k = 0; k < parts.Length; k++)
                        {
                            if (!int.TryParse(parts[k], out result[k]))
                            {
                                throw new FormatException($"Not a number: '{parts[k]}' at {k}.");
                            }
                        }

                        return result;
                    }

                    public string Join(ReadOnlySpan<int> values)
                    {
                        var sb = new StringBuilder();
                        foreach (var v in values)
                        {
                            if (sb.Length > 0) sb.Append(_separator);
                            sb.Append(v + {{i}});
                        }

                        return sb.ToString();
                    }

                    public static bool IsPalindrome(string s)
                    {
                        int l = 0, r = s.Length - 1;
                        while (l < r)
                        {
                            if (s[l++] != s[r--]) return false;
                        }

                        return true;
                    }
                }
                """,
            _ => $$"""
                using System;
                using System.Collections.Concurrent;
                using System.Threading;
                using System.Threading.Tasks;
                using Microsoft.Extensions.AI;

                namespace Bench.App.Area{{area}};

                public interface IStage{{i}}<T>
                {
                    ValueTask<T> RunAsync(T input, CancellationToken ct);
                }

                public sealed class Stage{{i}} : IStage{{i}}<string>
                {
                    private readonly IChatClient _client;
                    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);

                    public Stage{{i}}(IChatClient client)
                    {
                        ArgumentNullException.ThrowIfNull(client);
                        _client = client;
                    }

                    public event EventHandler<string>? Processed;

                    public object? Inner => _client.GetService(typeof(IChatClient));

                    public async ValueTask<string> RunAsync(string input, CancellationToken ct)
                    {
                        ct.ThrowIfCancellationRequested();
                        var value = _cache.GetOrAdd(input, static s => s.Trim().ToUpperInvariant());
                        await Task.Yield();
                        Processed?.Invoke(this, value);
                        return value + "-{{i}}";
                    }
                }
                """,
        };
        return ($"Plain{i}.cs", text);
    }

    // ---- the prompts project --------------------------------------------------------------------------------------

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

    /// <summary>
    /// A class of 20 <c>[Prompt]</c> methods in ten shapes: the generator suite's five (enum, string, bool, JSON record,
    /// <c>PromptResult</c> with a personal-data parameter) and five that the cost rules report on — no task and no
    /// <c>MaxTokens</c> (PO0002), a leading placeholder (PO0005), a wordy system prompt (PO0001), a tier above the task's
    /// (PO0003), an int placeholder with <c>MaxInputTokens</c>. Most texts differ per method (its number is in them).
    /// </summary>
    private static (string, string) PromptClass(int j)
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
        for (var k = 0; k < PromptsPerClass; k++)
        {
            var i = (j * PromptsPerClass) + k;
            sb.Append(
                (i % 10) switch
                {
                    0 => $$"""
                            [Prompt(Task = "classification", CacheTtl = "static", System = "Classify the support ticket for queue {{i}}.", User = "{ticket}")]
                            public partial Task<Category> M{{i}}Async([MaxInputTokens(500)] string ticket, CancellationToken ct = default);

                        """,
                    1 => $$"""
                            [Prompt(Task = "summary", CacheTtl = "daily", System = "Summarize ticket {{i}} for an agent.", User = "Ticket: {ticket}")]
                            public partial Task<string> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    2 => $$"""
                            [Prompt(Task = "yes_no", System = "Is the ticket urgent? Rule set {{i}}.", User = "{ticket}")]
                            public partial Task<bool> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    3 => $$"""
                            [Prompt(Task = "analysis", System = "Extract the product and the severity (1-5) as JSON for form {{i}}.", User = "{ticket}", MaxTokens = 120)]
                            public partial Task<TicketInfo> M{{i}}Async(string ticket, CancellationToken ct = default);

                        """,
                    4 => $$"""
                            [Prompt(Task = "classification", CacheTtl = "10m", System = "Classify the ticket.", User = "Customer {customer}: {ticket}")]
                            public partial Task<PromptResult<Category>> M{{i}}Async(string ticket, string customer, CancellationToken ct = default);

                        """,
                    5 => $$"""
                            [Prompt(System = "Answer the question about product line {{i}}.", User = "{question}")]
                            public partial Task<string> M{{i}}Async(string question, CancellationToken ct = default);

                        """,
                    6 => $$"""
                            [Prompt(Task = "translation", System = "{language}: translate the customer's message {{i}} into this language. Keep product names, order numbers and email addresses unchanged, keep the tone polite and do not add explanations or notes of your own.", User = "{text}")]
                            public partial Task<string> M{{i}}Async(string language, [MaxInputTokens(2000)] string text, CancellationToken ct = default);

                        """,
                    7 => $$"""
                            [Prompt(Task = "short_answer", System = "You are a very helpful AI assistant. Please note that it is really very important that you always answer the question really clearly and basically very briefly. Thank you very much for your help with request {{i}}!", User = "{question}")]
                            public partial Task<string> M{{i}}Async(string question, CancellationToken ct = default);

                        """,
                    8 => $$"""
                            [Prompt(Task = "sentiment", Tier = "best", CacheTtl = "none", System = "Rate the sentiment of review {{i}}.", User = "{review}")]
                            public partial Task<string> M{{i}}Async(string review, CancellationToken ct = default);

                        """,
                    _ => $$"""
                            [Prompt(Task = "code_snippet", System = "Write a C# snippet for task {{i}}; reply with code only.", User = "Task {n}: {description}", MaxInputTokens = 400)]
                            public partial Task<string> M{{i}}Async(int n, string description, CancellationToken ct = default);

                        """,
                });
        }

        sb.Append("}\n");
        return ($"C{j}.cs", sb.ToString());
    }

    /// <summary>
    /// Two raw M.E.AI calls with a system message: a literal system text repeated in every file with an expensive model
    /// for a 5-token answer (PO0003, PO0007), and an interpolated system text that starts with a per-user value, sent with
    /// local options without <c>MaxOutputTokens</c> (PO0002, PO0005).
    /// </summary>
    private static (string, string) RawFile(int j) => ($"Raw{j}.cs", $$"""
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;

        namespace Bench.Raw;

        public sealed class Raw{{j}}(IChatClient chat)
        {
            public async Task<string> TriageAsync(string ticket, CancellationToken ct = default)
            {
                var response = await chat.GetResponseAsync(
                    [
                        new ChatMessage(ChatRole.System, "You are the triage assistant of the support team. Read the ticket and answer with the queue name only: billing, bugs, accounts or other."),
                        new ChatMessage(ChatRole.User, ticket),
                    ],
                    new ChatOptions { ModelId = "gpt-4o", MaxOutputTokens = 5 },
                    ct);
                return response.Text;
            }

            public async Task<string> AnswerAsync(string user, string question, CancellationToken ct = default)
            {
                var options = new ChatOptions { Temperature = 0.3f };
                var response = await chat.GetResponseAsync(
                    [
                        new ChatMessage(ChatRole.System, $"{user} asked a question. You are a support agent for region {{j}}. Answer politely and precisely in at most three sentences, cite the relevant help-center article by its title, and never invent product features, prices or release dates."),
                        new ChatMessage(ChatRole.User, question),
                    ],
                    options,
                    ct);
                return response.Text;
            }
        }
        """);

    private sealed class LoadFromLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }

    /// <summary>Global options only (what the SDK's generated global config holds); the same for every file.</summary>
    private sealed class GlobalConfig(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _options = new(values);

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }

    /// <summary>An empty <c>.editorconfig</c>: no key is set for any file.</summary>
    private sealed class EmptyConfig : AnalyzerConfigOptionsProvider
    {
        public static readonly EmptyConfig Provider = new();

        private static readonly Empty None = new();

        public override AnalyzerConfigOptions GlobalOptions => None;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => None;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => None;

        private sealed class Empty : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            {
                value = null;
                return false;
            }
        }
    }
}
