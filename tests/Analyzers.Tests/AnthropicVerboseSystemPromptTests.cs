using PromptOps.CodeFixes;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.VerboseSystemPromptAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// PO0001 on Anthropic's official SDK (NuGet <c>Anthropic</c>, a metadata reference of the test compilations): the system
/// prompt of <c>new MessageCreateParams { System = … }</c> — a string or a list of text blocks, each block judged on its
/// own — reported, compressed by the fix, and priced on the request's own <c>Model</c>.
/// </summary>
public class AnthropicVerboseSystemPromptTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Anthropic;
        using Anthropic.Models.Messages;

        """;

    private const string Verbose = "You are a very helpful AI assistant. Please classify the ticket as billing or technical. Thank you very much!";
    private const string Compressed = "Classify the ticket as billing or technical.";

    [Fact]
    public Task A_verbose_System_string_and_text_block_are_reported_and_compressed() => V.AnthropicCodeFixAsync<CompressPromptCodeFix>(Header + $$"""
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = {|PO0001:"{{Verbose}}"|},
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-haiku-4-5",
                });
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = new List<TextBlockParam> { new({|PO0001:"{{Verbose}}"|}), new() { Text = "Tickets come from the web form." } },
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-haiku-4-5",
                });
            }
        }
        """, Header + $$"""
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = "{{Compressed}}",
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-haiku-4-5",
                });
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = new List<TextBlockParam> { new("{{Compressed}}"), new() { Text = "Tickets come from the web form." } },
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-haiku-4-5",
                });
            }
        }
        """);

    [Fact]
    public Task The_saving_is_priced_on_the_requests_model_a_string_or_the_SDKs_enum() => V.AnthropicAnalyzerAsync(Header + $$"""
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = {|#0:"{{Verbose}}"|},
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-sonnet-4-5",
                });
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = new List<TextBlockParam> { new() { Text = {|#1:"{{Verbose}}"|} } },
                    Messages = [new UserMessageParam(ticket)],
                    Model = Model.ClaudeOpus4_6,
                });
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = {|#2:"{{Verbose}}"|},
                    Messages = [new UserMessageParam(ticket)],
                    Model = "my-fine-tune",
                });
            }
        }
        """,
        // 22 → 9 tokens, 10,000 requests a month; input per million: claude-sonnet-4-5 $3, claude-opus-4-6 $5.
        V.Diagnostic("PO0001").WithLocation(0).WithArguments(22, 9, 13 * 100.0 / 22, "", 10000, "claude-sonnet-4-5", 0.39m, 0.66m),
        V.Diagnostic("PO0001").WithLocation(1).WithArguments(22, 9, 13 * 100.0 / 22, "", 10000, "claude-opus-4-6", 0.65m, 1.10m),
        V.Diagnostic("PO0001").WithLocation(2).WithArguments(22, 9, 13 * 100.0 / 22, "", 10000, "claude-haiku-4-5 ('my-fine-tune' is not in the price catalogue)", 0.13m, 0.22m));

    [Fact]
    public Task A_concise_system_prompt_and_a_request_without_one_are_not_reported() => V.AnthropicAnalyzerAsync(Header + """
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 5,
                    System = "Classify the ticket as billing or technical.",
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-haiku-4-5",
                });
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 5, Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
            }
        }
        """);
}
