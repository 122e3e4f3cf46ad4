using System.Globalization;
using System.Text;
using FastLoad.Engine.Load;

namespace FastLoad.Runner.Live;

/// <summary>How both progress views spell the figures: counts with thousands separators, latencies to 0.1 ms.</summary>
public static class ProgressText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Count(long value) => value.ToString("N0", Invariant);

    public static string Rate(double value) => value.ToString("N0", Invariant);

    /// <summary>3.0; 1,020 from 1,000 ms up; "-" before the first sample.</summary>
    public static string Ms(double? value) => value switch
    {
        null => "-",
        >= 1000 => value.Value.ToString("N0", Invariant),
        _ => value.Value.ToString("F1", Invariant),
    };

    /// <summary>"3.0/9.5 ms".</summary>
    public static string Percentiles(double? p50, double? p99) => $"{Ms(p50)}/{Ms(p99)} ms";

    /// <summary>"42s", "2m05s", "1h02m03s".</summary>
    public static string Duration(TimeSpan t)
    {
        long s = (long)t.TotalSeconds;
        return s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m{s % 60:00}s" : $"{s / 3600}h{s / 60 % 60:00}m{s % 60:00}s";
    }

    /// <summary>"0" or "3 (nonce_too_low 2, underpriced 1)".</summary>
    public static string Errors(IReadOnlyList<KeyValuePair<string, long>> errors)
    {
        long total = 0;
        foreach (KeyValuePair<string, long> e in errors) total += e.Value;
        if (total == 0) return "0";
        var sb = new StringBuilder(Count(total)).Append(" (");
        bool first = true;
        foreach ((string name, long count) in errors)
        {
            if (count == 0) continue;
            sb.Append(first ? "" : ", ").Append(name).Append(' ').Append(Count(count));
            first = false;
        }
        return sb.Append(')').ToString();
    }

    /// <summary>"1,000 tx/s, target 1,000", "600 tx/s, target 612 ramp" (a shape's current rate and its kind) or "1,000 tx/s, max".</summary>
    public static string RateVsTarget(RunProgress p) =>
        $"{Rate(p.Rate)} tx/s, {(p.TargetRate is { } target ? "target " + Rate(target) + (p.Shape is { } shape ? " " + shape.Split(':')[0] : "") : "max")}";

    /// <summary>Where the run is against its end: time, or count when it ends by count; null when neither is known.</summary>
    public static double? Fraction(RunProgress p)
    {
        if (p.Total is { } total && total > TimeSpan.Zero) return Math.Clamp(p.Elapsed / total, 0, 1);
        if (p.TargetCount is > 0 and var count) return Math.Clamp((double)p.Sent / count, 0, 1);
        return null;
    }

    /// <summary>"12s / 30s", "12s, 4,000 / 10,000 txs" or "12s".</summary>
    public static string Position(RunProgress p) =>
        p.Total is { } total ? $"{Duration(p.Elapsed)} / {Duration(total)}"
        : p.TargetCount is { } count ? $"{Duration(p.Elapsed)}, {Count(p.Sent)} / {Count(count)} txs"
        : Duration(p.Elapsed);

    /// <summary>"closed" or "open: rate held at 50%".</summary>
    public static string Breaker(double? fraction) => fraction is { } f ? $"open: rate held at {Percent(f)}" : "closed";

    /// <summary>0.5 as "50%" (the invariant culture's P0 would say "50 %").</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F0", Invariant) + "%";
}
