namespace PromptOps;

/// <summary>Registered by <c>AddPromptOpsSqliteLedger</c> (PromptOps.Sqlite).</summary>
internal sealed class SqliteLedgerPackageMarker;
