#pragma warning disable CS0618 // ISystemClock is obsolete but is the only clock MemoryCacheOptions accepts.
using Microsoft.Extensions.Internal;

namespace PromptOps.Caching;

internal sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
