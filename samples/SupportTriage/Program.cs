// PromptOps sample: a support desk's day (ticket classification and urgency, summaries, FAQ answers with the repeats
// real users send, account questions, users on different plans) through the PromptOps pipeline, with the saving broken
// down by lever (routing, output limits, cache, refusals) against baselines: the best tier's model without limits,
// gpt-4o-mini without and with the same limits, or the one --baseline-model names.
//
//   dotnet run --project samples/SupportTriage                      simulated provider (offline, deterministic)
//   dotnet run --project samples/SupportTriage -- --provider openai  OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL (every tier),
//                                                                     OPENAI_MODEL_FAST_CHEAP / _BALANCED / _HIGH_QUALITY / _BEST (one tier)
//   dotnet run --project samples/SupportTriage -- --provider anthropic  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (optional); Anthropic's
//                                                                     official SDK, each tier on the catalogue's Claude model for it
//   options: --requests N (default 600)   --redis HOST:PORT (adds the L2 cache)   --ledger FILE (SQLite usage ledger)
//            --baseline-model MODEL [--baseline-limits]   --tight-limits (output limits too small: truncations)
//            --markdown (also prints the saving by lever as the README's Markdown table)
using System.Globalization;
using Spectre.Console;
using SupportTriage;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("SupportTriage: " + e.Message);
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

var console = AnsiConsole.Console;
if (Console.IsOutputRedirected) console.Profile.Width = 140;
return (await Desk.RunAsync(options, console)).ExitCode;
