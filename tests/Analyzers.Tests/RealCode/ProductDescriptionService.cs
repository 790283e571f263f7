// Modelled on the Generative-AI-for-beginners-dotnet / eShopSupport style of a service class: one options field
// that is limited where it is created (quiet), one that never gets a limit (reported, fixed at its initializer),
// and options built per call in a helper (not judged).
using System.Threading.Tasks;
using Microsoft.Extensions.AI;

namespace Samples.Services;

public class ProductDescriptionService
{
    private static readonly ChatOptions s_descriptionOptions = new() { MaxOutputTokens = 300, Temperature = 0.7f };
    private readonly ChatOptions _tagOptions = new() { Temperature = 0 };
    private readonly IChatClient _chatClient;

    public ProductDescriptionService(IChatClient chatClient) => _chatClient = chatClient;

    public async Task<string> DescribeAsync(string productName)
    {
        var response = await _chatClient.GetResponseAsync($"Write a short marketing description for {productName}.", s_descriptionOptions);
        return response.Text;
    }

    public async Task<string> TagAsync(string description)
    {
        var response = await _chatClient.GetResponseAsync( // expect PO0002
            [
                new ChatMessage(ChatRole.System, "Suggest 3 bullet points of search tags for the product."),
                new ChatMessage(ChatRole.User, description),
            ],
            _tagOptions);
        return response.Text;
    }

    public async Task<string> TranslateAsync(string text, string language)
    {
        var response = await _chatClient.GetResponseAsync($"Translate into {language}: {text}", CreateOptions());
        return response.Text;
    }

    private static ChatOptions CreateOptions() => new() { MaxOutputTokens = 1000 };
}
