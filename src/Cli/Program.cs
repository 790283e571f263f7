using PromptOps.Cli;

return await PromptOpsCli.RunAsync(args, Console.Out, Console.Error);
