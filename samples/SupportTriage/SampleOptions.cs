namespace SupportTriage;

/// <summary>The sample's command line.</summary>
public sealed record SampleOptions(string Provider, int Requests, string? Redis, string Ledger)
{
    public static SampleOptions Parse(string[] args)
    {
        var provider = "simulated";
        var requests = 600;
        string? redis = null;
        var ledger = Path.Combine(Path.GetTempPath(), $"promptops-supporttriage-{DateTime.UtcNow:yyyyMMdd-HHmmss}.db");
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--provider":
                    provider = Value().ToLowerInvariant();
                    if (provider is not ("simulated" or "openai")) throw new ArgumentException($"unknown provider '{provider}' (simulated or openai).");
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
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'.");
            }
        }

        return new SampleOptions(provider, requests, redis, ledger);
    }
}
