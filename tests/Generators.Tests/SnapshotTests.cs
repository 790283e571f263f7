using PromptOps.Generators.Tests.Infrastructure;

namespace PromptOps.Generators.Tests;

/// <summary>
/// Baseline tests of the generated source for each supported shape. The baselines are in <c>Snapshots/</c>; after an
/// intended change, run the tests with <c>PROMPTOPS_UPDATE_SNAPSHOTS=1</c> and review the diff.
/// </summary>
public class SnapshotTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.ComponentModel;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.Extensions.AI;
        using PromptOps;

        """;

    public static TheoryData<string, string> Shapes() => new()
    {
        {
            "EnumClassification", Usings + """
            namespace Support;

            public enum TicketCategory { Billing, [Description("Technical issue")] Technical, Account }

            public partial class TicketTriage(IChatClient chat)
            {
                [Prompt(Task = "classification", CacheTtl = "static", System = "Classify the support ticket.", User = "{ticket}")]
                public partial Task<TicketCategory> ClassifyAsync(string ticket, CancellationToken ct = default);
            }
            """
        },
        {
            "AllResultKinds", Usings + """
            namespace Shapes
            {
                public sealed record Invoice(string Number, decimal Total);

                internal partial class Assistant
                {
                    private readonly IChatClient _client;

                    public Assistant(IChatClient client) => _client = client;

                    [Prompt(Task = "yes_no", User = "Is this spam? {text}")]
                    public partial ValueTask<bool> IsSpamAsync(string text);

                    [Prompt(Task = "short_answer", User = "How many items: {text}", Temperature = 0.2)]
                    internal partial Task<int> CountAsync(string text, CancellationToken cancellationToken);

                    [Prompt(Task = "analysis", System = "Extract the invoice.", User = "{document}", Tier = "best", MaxTokens = 300)]
                    public partial Task<PromptResult<Invoice>> ExtractAsync([MaxInputTokens(2000)] string document, CancellationToken ct);

                    [Prompt(Task = "summary", CacheTtl = "10m", OnTruncation = "throw", System = "Summarize for {{customer}} {name}.", User = "{text}")]
                    public partial Task<PromptResult<string>> SummarizeAsync(string text, [CacheScope] string name);

                    [Prompt(Task = "article", CacheTtl = "none", User = "Write about {topic}.", MaxInputTokens = 500)]
                    public partial IAsyncEnumerable<string> WriteAsync(string topic, CancellationToken ct = default);
                }
            }
            """
        },
        {
            "NestedGenericStatic", Usings + """
            namespace Outer.Inner;

            public partial record struct Holder<T>
            {
                public partial class Prompts
                {
                    [Prompt(User = "Translate to {language}: {text}", Task = "translation")]
                    public static partial Task<string> TranslateAsync(IChatClient chat, string text, string language, CancellationToken ct = default);

                    [Prompt(User = "Score {value}", Task = "sentiment")]
                    public static partial Task<double> ScoreAsync(IChatClient chat, int value);
                }
            }

            public partial struct Point(IChatClient ai)
            {
                [Prompt(User = "{@event}")]
                public partial Task<string> DescribeAsync(string @event);
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Generated_source_matches_the_baseline(string name, string source)
    {
        var (generated, errors, _) = GeneratorHarness.Run(source);
        Assert.Empty(errors);
        Assert.NotEmpty(generated);

        var actual = string.Join("\n// ----\n", generated.OrderBy(g => g.HintName, StringComparer.Ordinal).Select(g => "// " + g.HintName + "\n" + g.SourceText));
        var path = Path.Combine(GeneratorHarness.SourceDirectory(), "Snapshots", name + ".g.cs.txt");
        if (Environment.GetEnvironmentVariable("PROMPTOPS_UPDATE_SNAPSHOTS") == "1" || !File.Exists(path))
        {
            // A baseline written now would only be compared with itself: the test fails, locally too, until a person has
            // read the new baseline and committed it (and run again without PROMPTOPS_UPDATE_SNAPSHOTS).
            File.WriteAllText(path, actual);
            Assert.Fail($"Snapshot {name} was written to {path}: review it, commit it, and run the tests again without PROMPTOPS_UPDATE_SNAPSHOTS.");
        }

        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual.ReplaceLineEndings("\n"));
    }
}
