namespace PromptOps;

/// <summary>
/// Puts a parameter of a <see cref="PromptAttribute"/> method into the cache scope: answers cached for one
/// value (a user, a tenant) are never returned for another. Use it for anything personal.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class CacheScopeAttribute : Attribute
{
}
