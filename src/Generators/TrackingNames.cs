namespace FastLoad.Generators;

/// <summary>Names of the incremental pipeline steps, so tests can check what was cached.</summary>
public static class TrackingNames
{
    /// <summary>The transform of each [RlpSerializable] type into a <c>RlpParseResult</c> (model and diagnostics).</summary>
    public const string Model = "RlpModel";

    /// <summary>The models that have no errors, one per type to emit.</summary>
    public const string Types = "RlpTypes";

    /// <summary>The diagnostics of each type that has any.</summary>
    public const string Diagnostics = "RlpDiagnostics";
}
