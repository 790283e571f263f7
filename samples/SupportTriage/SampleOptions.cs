namespace SupportTriage;

/// <summary>The sample's command line.</summary>
/// <param name="Provider"><c>simulated</c> (default), <c>openai</c> or <c>anthropic</c>.</param>
/// <param name="Requests">How many requests the trace has.</param>
/// <param name="Redis">The Redis L2 cache (HOST:PORT), or null.</param>
/// <param name="Ledger">The SQLite ledger file.</param>
/// <param name="BaselineModel">The baseline the user names (<c>--baseline-model</c>); null: the default baselines.</param>
/// <param name="BaselineLimits">The named baseline keeps the same output limits (<c>--baseline-limits</c>).</param>
/// <param name="TightLimits">Runs the trace with output limits too small for the answers (<c>--tight-limits</c>).</param>
/// <param name="WeakCheapModel">The simulated fast_cheap model misreads a fifth of the labelled requests (<c>--weak-cheap-model</c>), so that
/// validate-then-escalate shows: those replies do not parse and are asked again one tier up.</param>
/// <param name="Markdown">Also prints the saving by lever as a Markdown table (<c>--markdown</c>), between the
/// <c>&lt;!-- figures:sample --&gt;</c> markers that <c>benchmarks/figures.sh sample</c> copies into the README.</param>
public sealed record SampleOptions(string Provider, int Requests, string? Redis, string Ledger, string? BaselineModel = null, bool BaselineLimits = false,
    bool TightLimits = false, bool WeakCheapModel = false, bool Markdown = false)
{
    /// <summary>The usage line.</summary>
    public const string Usage =
        "usage: dotnet run --project samples/SupportTriage [-- --provider simulated|openai|anthropic] [--requests N] [--redis HOST:PORT] [--ledger FILE] " +
        "[--baseline-model MODEL [--baseline-limits]] [--tight-limits] [--weak-cheap-model] [--markdown]";

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming the bad argument.</summary>
    public static SampleOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var provider = "simulated";
        var requests = 600;
        string? redis = null;
        string? baselineModel = null;
        var baselineLimits = false;
        var tight = false;
        var weak = false;
        var markdown = false;
        var ledger = Path.Combine(Path.GetTempPath(), $"promptops-supporttriage-{DateTime.UtcNow:yyyyMMdd-HHmmss}.db");
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--provider":
                    provider = Value().ToLowerInvariant();
                    if (provider is not ("simulated" or "openai" or "anthropic")) throw new ArgumentException($"unknown provider '{provider}' (simulated, openai or anthropic).");
                    break;
                case "--requests":
                    var text = Value();
                    if (!int.TryParse(text, out requests) || requests <= 0) throw new ArgumentException($"--requests must be a positive number, not '{text}'.");
                    break;
                case "--ledger":
                    ledger = Value();
                    break;
                case "--redis":
                    redis = Value();
                    break;
                case "--baseline-model":
                    baselineModel = Value().Trim();
                    if (baselineModel.Length == 0 || baselineModel.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException("--baseline-model needs a model id, for example gpt-4o-mini.");
                    break;
                case "--baseline-limits":
                    baselineLimits = true;
                    break;
                case "--tight-limits":
                    tight = true;
                    break;
                case "--weak-cheap-model":
                    weak = true;
                    break;
                case "--markdown":
                    markdown = true;
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'.");
            }
        }

        if (weak && provider != "simulated") throw new ArgumentException("--weak-cheap-model applies to the simulated provider.");
        if (baselineLimits && baselineModel is null) throw new ArgumentException("--baseline-limits applies to the baseline named by --baseline-model.");
        if (markdown && provider != "simulated") throw new ArgumentException("--markdown prints the saving by lever, which is measured on the simulated provider only.");
        return new SampleOptions(provider, requests, redis, ledger, baselineModel, baselineLimits, tight, weak, markdown);
    }
}
