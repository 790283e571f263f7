// Modelled on dotnet/eShop's WebApp chatbot (ChatState): options with tools, assigned once in the constructor.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace eShop.WebApp.Chatbot;

public interface ICatalogService
{
    Task<IReadOnlyList<string>> GetCatalogItemsBySemanticRelevance(string text, int pageSize);
}

public class ChatState
{
    private readonly ICatalogService _catalogService;
    private readonly IChatClient _chatClient;
    private readonly ChatOptions _chatOptions;

    // eShop builds the tools with AIFunctionFactory.Create(GetUserInfo) / (SearchCatalog); here they are handed in, because
    // AIFunctionFactory's overloads need System.Text.Json 10 and the corpus compiles against the .NET 8 reference assemblies.
    public ChatState(ICatalogService catalogService, IChatClient chatClient, AITool getUserInfo, AITool searchCatalog)
    {
        _catalogService = catalogService;
        _chatClient = chatClient;

        Messages =
        [
            // expect PO0001 (next line): a suggestion (Info) — the fix saves 4 tokens of 109
            new ChatMessage(ChatRole.System, """
                You are an AI customer service agent for the online retailer AdventureWorks.
                You NEVER respond about topics other than AdventureWorks.
                Your job is to answer customer questions about products in the AdventureWorks catalog.
                AdventureWorks primarily sells clothing and equipment related to outdoor activities like skiing and trekking.
                You try to be concise and only provide longer responses if necessary.
                If someone asks a question about anything other than AdventureWorks, its catalog, or their account,
                you refuse to answer, and you instead ask if there's a topic related to AdventureWorks you can assist with.
                """),
            new ChatMessage(ChatRole.Assistant, """
                Hi! I'm the AdventureWorks Concierge. How can I help?
                """),
        ];

        _chatOptions = new ChatOptions
        {
            Tools =
            [
                getUserInfo,
                searchCatalog,
            ],
        };
    }

    public IList<ChatMessage> Messages { get; }

    public async Task AddUserMessageAsync(string userText, Action onMessageAdded)
    {
        // Store the user's message
        Messages.Add(new ChatMessage(ChatRole.User, userText));
        onMessageAdded();

        // Get and store the AI's response message
        try
        {
            var response = await _chatClient.GetResponseAsync(Messages, _chatOptions); // expect PO0002; expect PO0011
            Messages.AddMessages(response);
        }
        catch (Exception e)
        {
            Messages.Add(new ChatMessage(ChatRole.Assistant, "My apologies, but I encountered an unexpected error: " + e.Message));
        }
        finally
        {
            onMessageAdded();
        }
    }

    [Description("Gets information about the chat user")]
    public static string GetUserInfo() => "{\"name\":\"Guest\"}";

    [Description("Searches the AdventureWorks catalog for a provided product description")]
    public async Task<string> SearchCatalog([Description("The product description for which to search")] string productDescription)
    {
        var results = await _catalogService.GetCatalogItemsBySemanticRelevance(productDescription, 8);
        return string.Join(", ", results);
    }
}
