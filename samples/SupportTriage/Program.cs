// PromptOps sample: a support desk's day (ticket classification and urgency, summaries, FAQ answers with the repeats
// real users send, account questions, users on different plans) through the PromptOps pipeline, against a naive
// baseline on the same trace: everything to the best tier, no cache, no output limits.
//
//   dotnet run --project samples/SupportTriage                      simulated provider (offline, deterministic)
//   dotnet run --project samples/SupportTriage -- --provider openai  OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL
//   options: --requests N (default 600)   --redis HOST:PORT (adds the L2 cache)   --ledger FILE (SQLite usage ledger)
using System.Globalization;
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
    Console.Error.WriteLine("usage: dotnet run --project samples/SupportTriage [-- --provider simulated|openai] [--requests N] [--redis HOST:PORT] [--ledger FILE]");
    return 2;
}

return await Desk.RunAsync(options);
