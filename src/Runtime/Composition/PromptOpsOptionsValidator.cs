using Microsoft.Extensions.Options;

namespace PromptOps;

internal sealed class PromptOpsOptionsValidator : IValidateOptions<PromptOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptOpsOptions options)
    {
        var errors = options.GetErrors();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
