namespace FastLoad.Engine.Results;

/// <summary>One metric of BASE and NEW side by side. <see cref="Limit"/> is set for the metrics with a threshold.</summary>
public sealed record MetricDelta(string Name, string Unit, double? Base, double? New, bool Regressed, string? Limit)
{
    public double? Delta => Base is double b && New is double n ? n - b : null;

    /// <summary>Relative change in percent; null when BASE is zero or either side is missing.</summary>
    public double? DeltaPercent => Base is double b && New is double n && b != 0 ? (n - b) / Math.Abs(b) * 100 : null;
}
