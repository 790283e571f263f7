using Microsoft.Extensions.Options;
using PromptOps.Caching.Redis;

namespace PromptOps;

/// <summary>Checks <c>PromptOps:Redis:Configuration</c> with StackExchange.Redis' parser (at start-up with <c>ValidateOnStart</c>).</summary>
internal sealed class RedisConnectionValidator : IValidateOptions<PromptOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptOpsOptions options)
    {
        var errors = options.Redis.GetConnectionStringErrors().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
