namespace PromptOps.Usage;

/// <summary>
/// Receives one <see cref="UsageRecord"/> per call. Called on the request path, so it must not block: sinks that
/// persist (a database, a file) queue the record and write in batches in the background. An exception thrown here
/// is logged and never fails the call.
/// </summary>
public interface IUsageSink
{
    /// <summary>Takes a record.</summary>
    void Record(UsageRecord record);
}
