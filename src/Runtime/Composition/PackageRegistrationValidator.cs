using Microsoft.Extensions.Options;

namespace PromptOps;

/// <summary>Fails the options (at start-up with <c>ValidateOnStart</c>) when a setting names a package that was not registered.</summary>
internal sealed class PackageRegistrationValidator(IServiceProvider services) : IValidateOptions<PromptOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptOpsOptions options)
    {
        var errors = PackageRegistrations.GetErrors(services, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
