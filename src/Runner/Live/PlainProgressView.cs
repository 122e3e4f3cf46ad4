using System.Text;
using FastLoad.Engine.Load;

namespace FastLoad.Runner.Live;

/// <summary>
/// Progress as plain lines, for logs and pipes: at most one line per second of run time, e.g.
/// <c>[   5s] sent 1,000 (200 tx/s, target 200)  acked 1,000  included 800  errors 0  ack p50/p99 3.0/9.5 ms  ring 120/256</c>,
/// with inclusion latency, read traffic (<c>reads 100/s errors 0 p50/p99 1.2/3.4 ms</c>), breaker and dropped records
/// added when there is something to say. Messages are lines of
/// their own. <see cref="Complete"/> prints the last snapshot if its second had no line yet. Thread-safe.
/// </summary>
public sealed class PlainProgressView(TextWriter writer) : IRunProgressView
{
    private readonly Lock _gate = new();
    private long _lastSecond;
    private RunProgress? _pending;
    private string? _lastLine;

    public void Update(RunProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        lock (_gate)
        {
            long second = (long)progress.Elapsed.TotalSeconds;
            if (second <= _lastSecond)
            {
                _pending = progress;
                return;
            }
            _lastSecond = second;
            _pending = null;
            _lastLine = Line(progress);
            writer.WriteLine(_lastLine);
            writer.Flush();
        }
    }

    public void Message(string line)
    {
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            if (_pending is null) return;
            string line = Line(_pending);
            if (line == _lastLine) return; // nothing moved since the last line
            writer.WriteLine(line);
            writer.Flush();
            _pending = null;
        }
    }

    /// <summary>The one-line form of a snapshot.</summary>
    public static string Line(RunProgress p)
    {
        var sb = new StringBuilder(160);
        sb.Append('[').Append(((long)p.Elapsed.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(4)).Append("s] ");
        sb.Append("sent ").Append(ProgressText.Count(p.Sent)).Append(" (").Append(ProgressText.RateVsTarget(p)).Append(')');
        sb.Append("  acked ").Append(ProgressText.Count(p.Acked));
        sb.Append("  included ").Append(ProgressText.Count(p.Included));
        sb.Append("  errors ").Append(ProgressText.Errors(p.Errors));
        sb.Append("  ack p50/p99 ").Append(ProgressText.Percentiles(p.AckP50Ms, p.AckP99Ms));
        if (p.InclusionP50Ms is not null) sb.Append("  incl p50/p99 ").Append(ProgressText.Percentiles(p.InclusionP50Ms, p.InclusionP99Ms));
        sb.Append("  ring ").Append(ProgressText.Count(p.RingFill)).Append('/').Append(ProgressText.Count(p.RingCapacity));
        if (p.Reads is { } r)
            sb.Append("  reads ").Append(ProgressText.Rate(r.Rate)).Append("/s errors ").Append(ProgressText.Count(r.Errors))
                .Append(" p50/p99 ").Append(ProgressText.Percentiles(r.P50Ms, r.P99Ms));
        if (p.Preconf is { } pc)
            sb.Append("  preconf ").Append(ProgressText.Count(pc.Preconfirmed)).Append(" p50/p99 ").Append(ProgressText.Percentiles(pc.P50Ms, pc.P99Ms));
        if (p.BreakerFraction is { } f) sb.Append("  BREAKER ").Append(ProgressText.Percent(f));
        if (p.DroppedRecords > 0) sb.Append("  DROPPED ").Append(ProgressText.Count(p.DroppedRecords)).Append(" records");
        return sb.ToString();
    }
}
