using PromptOps.Analyzers.Rules;
using PromptOps.CodeFixes;
using Layout = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.CacheUnfriendlyLayoutAnalyzer>;
using Limit = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.MissingOutputLimitAnalyzer>;
using Options = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.ExpensiveModelAnalyzer>;
using V = PromptOps.Analyzers.Tests.Infrastructure.Verify<PromptOps.Analyzers.Rules.AnthropicMessagesAnalyzer>;

namespace PromptOps.Analyzers.Tests;

/// <summary>
/// PO0002, PO0003 and PO0005 on Anthropic's official SDK (NuGet <c>Anthropic</c> 13.15.0, its net8.0 assembly a metadata
/// reference of the test compilations): <c>client.Messages.Create(new MessageCreateParams { … })</c>, <c>CreateStreaming</c>,
/// the beta Messages API and the SDK's <c>IChatClient</c>.
/// </summary>
public class AnthropicRulesTests
{
    private const string Header = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using Anthropic;
        using Anthropic.Models.Messages;

        """;

    private const string Long = "You summarize support tickets for the billing team. Keep the customer's words, list every amount with its currency, mention refunds explicitly, and end with the next step the agent should take.";

    [Fact]
    public Task PO0002_a_docs_sized_MaxTokens_on_a_one_word_classifier_is_reported_with_the_prompts_length() => V.AnthropicAnalyzerAsync(Header + """
        class C
        {
            Task<Message> Classify(AnthropicClient client, string ticket) => client.Messages.Create(new MessageCreateParams
            {
                MaxTokens = {|#0:1024|},
                System = "Label the support ticket. Reply with one word: billing, bug or account.",
                Messages = [new UserMessageParam(ticket)],
                Model = "claude-haiku-4-5",
            });
        }
        """, V.Diagnostic("PO0002").WithLocation(0).WithArguments("This MessageCreateParams", "MaxTokens", 1024L, 102.4, 10, "the prompt asks for one word"));

    [Fact]
    public Task PO0002_the_fix_writes_the_prompts_length_in_place_of_the_loose_limit() => V.AnthropicCodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                MessageCreateParams parameters = new()
                {
                    MaxTokens = {|PO0002:4096|},
                    Messages =
                    [
                        new UserMessageParam("Is this ticket urgent? Answer yes or no.\n\n" + ticket),
                    ],
                    Model = Model.ClaudeHaiku4_5,
                };
                await client.Messages.Create(parameters);
                await foreach (var e in client.Messages.CreateStreaming(new MessageCreateParams
                {
                    MaxTokens = {|PO0002:8192|}, // copied from the docs
                    System = new List<TextBlockParam> { new("Summarize the ticket in two sentences.") },
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-sonnet-4-5",
                })) { }
            }
        }
        """, Header + """
        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                MessageCreateParams parameters = new()
                {
                    MaxTokens = 10,
                    Messages =
                    [
                        new UserMessageParam("Is this ticket urgent? Answer yes or no.\n\n" + ticket),
                    ],
                    Model = Model.ClaudeHaiku4_5,
                };
                await client.Messages.Create(parameters);
                await foreach (var e in client.Messages.CreateStreaming(new MessageCreateParams
                {
                    MaxTokens = 70, // copied from the docs
                    System = new List<TextBlockParam> { new("Summarize the ticket in two sentences.") },
                    Messages = [new UserMessageParam(ticket)],
                    Model = "claude-sonnet-4-5",
                })) { }
            }
        }
        """);

    [Fact]
    public Task PO0002_the_fix_title_says_it_sets_the_value_and_why() => V.AnthropicCodeFixAsync<AddOutputLimitCodeFix>(Header + """
        class C
        {
            MessageCreateParams P(string review) => new() { MaxTokens = {|PO0002:1024|}, System = "Reply with one word.", Messages = [new UserMessageParam(review)], Model = "claude-haiku-4-5" };
        }
        """, Header + """
        class C
        {
            MessageCreateParams P(string review) => new() { MaxTokens = 10, System = "Reply with one word.", Messages = [new UserMessageParam(review)], Model = "claude-haiku-4-5" };
        }
        """, title: "Set MaxTokens = 10 (the prompt asks for one word)");

    [Fact]
    public Task PO0002_is_quiet_on_well_formed_requests() => V.AnthropicAnalyzerAsync(Header + """
        class C
        {
            const long Short = 10;

            async Task M(AnthropicClient client, string ticket, long fromConfig)
            {
                // A limit that fits what the prompt asks for (4x and 100 tokens of slack are allowed).
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 10, System = "Reply with one word.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                await client.Messages.Create(new MessageCreateParams { MaxTokens = Short, System = "Reply with one word.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 100, System = "Reply with one word.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 256, System = "Summarize the ticket in two sentences.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                // No stated length: a story, an essay — nothing tells what is too much.
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 2048, Messages = [new UserMessageParam("Tell me a story about building the best SDK!")], Model = "claude-sonnet-4-5" });
                // A limit that is not a constant, and MaxTokens = 0 (pre-warms the prompt cache, generates nothing).
                await client.Messages.Create(new MessageCreateParams { MaxTokens = fromConfig, System = "Reply with one word.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                await client.Messages.Create(new MessageCreateParams { MaxTokens = 0, System = "Reply with one word.", Messages = [new UserMessageParam(ticket)], Model = "claude-haiku-4-5" });
                // "One word" in an assistant turn (a prefill) is not what the user asks for.
                await client.Messages.Create(new MessageCreateParams
                {
                    MaxTokens = 1024,
                    Messages = [new UserMessageParam("Write a product description."), new AssistantMessageParam("In one word: great. In more:")],
                    Model = "claude-haiku-4-5",
                });
            }
        }
        """);

    [Fact]
    public Task PO0002_judges_the_beta_Messages_API_too() => V.AnthropicAnalyzerAsync(Header + """
        class C
        {
            async Task M(AnthropicClient client, string review) => await client.Beta.Messages.Create(new Anthropic.Models.Beta.Messages.MessageCreateParams
            {
                MaxTokens = {|PO0002:1024|},
                System = "Reply with one word: positive, negative or neutral.",
                Messages = [new Anthropic.Models.Beta.Messages.BetaUserMessageParam(review)],
                Model = "claude-haiku-4-5",
            });
        }
        """);

    [Fact]
    public Task PO0002_on_the_SDKs_IChatClient_is_quiet_when_the_client_was_made_with_a_default_limit() => Limit.AnthropicAnalyzerAsync(Header + """
        using Microsoft.Extensions.AI;

        class C
        {
            private readonly IChatClient _limited = new AnthropicClient().AsIChatClient("claude-haiku-4-5", defaultMaxOutputTokens: 200);

            async Task M(AnthropicClient client)
            {
                IChatClient chat = client.AsIChatClient("claude-haiku-4-5");
                await chat.{|PO0002:GetResponseAsync|}("Summarize this ticket.");
                await foreach (var u in client.AsIChatClient("claude-haiku-4-5").{|PO0002:GetStreamingResponseAsync|}("Write a haiku.", new ChatOptions())) { }
                // The limit given where the client is made applies to every call without its own.
                await _limited.GetResponseAsync("Summarize this ticket.");
                var limited = client.AsIChatClient("claude-haiku-4-5", 300);
                await limited.GetResponseAsync("Summarize this ticket.");
                await chat.GetResponseAsync("Summarize this ticket.", new ChatOptions { MaxOutputTokens = 200 });
            }
        }
        """);

    [Fact]
    public Task PO0003_a_top_tier_Claude_on_a_label_is_replaced_by_the_cheapest_Claude() => V.AnthropicCodeFixAsync<UseTaskTierCodeFix>(Header + """
        class C
        {
            MessageCreateParams A(string t) => new() { MaxTokens = 5, Model = {|PO0003:"claude-opus-4-6"|}, Messages = [new UserMessageParam(t)] };
            MessageCreateParams B(string t) => new() { MaxTokens = 10, Model = {|PO0003:Model.ClaudeSonnet4_6|}, Messages = [new UserMessageParam(t)] };
            MessageCreateParams D(string t) => new() { MaxTokens = 10, Model = "claude-haiku-4-5", Messages = [new UserMessageParam(t)] };
            MessageCreateParams E(string t) => new() { MaxTokens = 800, Model = Model.ClaudeOpus4_6, Messages = [new UserMessageParam(t)] };
            MessageCreateParams F(string t) => new() { MaxTokens = 5, Model = "claude-next-secret", Messages = [new UserMessageParam(t)] };
        }
        """, Header + """
        class C
        {
            MessageCreateParams A(string t) => new() { MaxTokens = 5, Model = "claude-haiku-4-5", Messages = [new UserMessageParam(t)] };
            MessageCreateParams B(string t) => new() { MaxTokens = 10, Model = "claude-haiku-4-5", Messages = [new UserMessageParam(t)] };
            MessageCreateParams D(string t) => new() { MaxTokens = 10, Model = "claude-haiku-4-5", Messages = [new UserMessageParam(t)] };
            MessageCreateParams E(string t) => new() { MaxTokens = 800, Model = Model.ClaudeOpus4_6, Messages = [new UserMessageParam(t)] };
            MessageCreateParams F(string t) => new() { MaxTokens = 5, Model = "claude-next-secret", Messages = [new UserMessageParam(t)] };
        }
        """);

    [Fact]
    public Task PO0003_names_the_model_its_tier_and_the_price_ratio() => V.AnthropicAnalyzerAsync(Header + """
        class C
        {
            MessageCreateParams A(string t) => new() { MaxTokens = 5, Model = {|#0:Model.ClaudeOpus4_6|}, Messages = [new UserMessageParam(t)] };
        }
        """, V.Diagnostic("PO0003").WithLocation(0)
        .WithArguments("This MessageCreateParams", "claude-opus-4-6", "best", "short (≤ 5 output tokens)", "cheapest Claude", "claude-haiku-4-5", 5.0));

    [Fact]
    public Task PO0003_on_ChatOptions_offers_a_Claude_model_the_cheapest_Claude() => Options.CodeFixAsync<UseTaskTierCodeFix>("""
        using Microsoft.Extensions.AI;

        class C
        {
            ChatOptions A() => new() { ModelId = {|PO0003:"claude-sonnet-4-5"|}, MaxOutputTokens = 5 };
            ChatOptions B() => new() { ModelId = "claude-haiku-4-5", MaxOutputTokens = 5 };
        }
        """, """
        using Microsoft.Extensions.AI;

        class C
        {
            ChatOptions A() => new() { ModelId = "claude-haiku-4-5", MaxOutputTokens = 5 };
            ChatOptions B() => new() { ModelId = "claude-haiku-4-5", MaxOutputTokens = 5 };
        }
        """);

    [Fact]
    public Task PO0003_a_top_tier_model_named_where_the_client_is_made_is_reported_at_a_label_call() => Options.AnthropicAnalyzerAsync(Header + """
        using Microsoft.Extensions.AI;
        using PromptOps;

        class C
        {
            async Task M(AnthropicClient client, string ticket)
            {
                IChatClient opus = client.AsIChatClient("claude-opus-4-6");
                await opus.{|#0:GetResponseAsync|}(ticket, new ChatOptions { MaxOutputTokens = 5 });
                var options = new ChatOptions { MaxOutputTokens = 3 };
                await opus.{|PO0003:GetResponseAsync|}(ticket, options);
                await foreach (var u in opus.{|PO0003:GetStreamingResponseAsync|}(ticket, new ChatOptions { MaxOutputTokens = 10 })) { }
                // Quiet: the options name a cheap model, a long answer, the cheapest Claude's client, a local whose ModelId is set later.
                await opus.GetResponseAsync(ticket, new ChatOptions { MaxOutputTokens = 5, ModelId = "claude-haiku-4-5" });
                await opus.GetResponseAsync(ticket, new ChatOptions { MaxOutputTokens = 400 });
                await client.AsIChatClient("claude-haiku-4-5").GetResponseAsync(ticket, new ChatOptions { MaxOutputTokens = 5 });
                var routed = new ChatOptions { MaxOutputTokens = 5 };
                routed.ModelId = "claude-haiku-4-5";
                await opus.GetResponseAsync(ticket, routed);
                // A PromptOps pipeline routes each request to its tier's model, whatever the inner client was made with.
                IChatClient pipeline = client.AsIChatClient("claude-opus-4-6").UsePromptOpsRouting();
                await pipeline.GetResponseAsync(ticket, new ChatOptions { MaxOutputTokens = 5 });
            }
        }

        namespace PromptOps
        {
            static class Pipelines
            {
                public static IChatClient UsePromptOpsRouting(this IChatClient inner) => inner;
            }
        }
        """, Options.Diagnostic("PO0003").WithLocation(0).WithArguments(
            "This GetResponseAsync call's client", "claude-opus-4-6", "best", "short (≤ 5 output tokens)", "cheapest Claude", "claude-haiku-4-5, as ModelId on these options", 5.0));

    [Fact]
    public Task PO0005_a_system_prompt_that_starts_with_a_per_request_value_is_reported() => Layout.AnthropicAnalyzerAsync(Header + $$"""
        using System;

        class C
        {
            MessageCreateParams A(DateTime now, string t) => new()
            {
                MaxTokens = 500,
                System = {|PO0005:$"Today is {now:d}. {{Long}}"|},
                Messages = [new UserMessageParam(t)],
                Model = "claude-haiku-4-5",
            };

            MessageCreateParams B(string customer, string t) => new()
            {
                MaxTokens = 500,
                System = new List<TextBlockParam> { new({|PO0005:customer + " asks. {{Long}}"|}), new("Be brief.") },
                Messages = [new UserMessageParam(t)],
                Model = "claude-haiku-4-5",
            };

            // A system message among the messages is a system prompt too.
            MessageCreateParams G(string customer, string t) => new()
            {
                MaxTokens = 500,
                Messages = [new SystemMessageParam({|PO0005:$"{customer} asks. {{Long}}"|}), new UserMessageParam(t)],
                Model = "claude-haiku-4-5",
            };

            // Static first, the changing value last (or in its own later block): the prefix caches.
            MessageCreateParams D(DateTime now, string t) => new()
            {
                MaxTokens = 500,
                System = $"{{Long}} Today is {now:d}.",
                Messages = [new UserMessageParam(t)],
                Model = "claude-haiku-4-5",
            };

            MessageCreateParams E(DateTime now, string t) => new()
            {
                MaxTokens = 500,
                System = new List<TextBlockParam> { new() { Text = "{{Long}}" }, new($"Today is {now:d}.") },
                Messages = [new UserMessageParam(t)],
                Model = "claude-haiku-4-5",
            };
        }
        """);

    [Theory]
    [InlineData("ClaudeOpus4_6", "claude-opus-4-6")]
    [InlineData("ClaudeSonnet4_5_20250929", "claude-sonnet-4-5-20250929")]
    [InlineData("ClaudeHaiku4_5", "claude-haiku-4-5")]
    [InlineData("ClaudeSonnet5", "claude-sonnet-5")]
    [InlineData("ClaudeMythosPreview", "claude-mythos-preview")]
    public void A_Model_member_names_the_id_the_SDK_sends(string member, string id) =>
        Assert.Equal(id, PromptOps.Knowledge.AnthropicModels.IdOfMember(member));

    [Fact]
    public void The_Anthropic_models_of_the_tiers_are_priced_Anthropic_catalogue_entries()
    {
        foreach (var tier in PromptOps.Knowledge.ModelTiers.All)
        {
            var model = PromptOps.Knowledge.AnthropicModels.ForTier(tier);
            var info = PromptOps.Knowledge.DefaultPrices.All.SingleOrDefault(p => p.Model == model);
            Assert.True(info is { Provider: "anthropic" }, $"{model} ({tier}) is not an Anthropic entry of the catalogue");
        }

        Assert.Equal(PromptOps.Knowledge.AnthropicModels.Cheapest,
            PromptOps.Knowledge.DefaultPrices.All.Where(p => p.Provider == "anthropic" && p.Tier is not null && !p.Model.StartsWith("claude-3", StringComparison.Ordinal))
                .OrderBy(p => p.InputPerMillion).First().Model);
    }
}
