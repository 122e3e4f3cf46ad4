using System.Globalization;

namespace FastLoad.Engine.Metrics;

/// <summary>
/// The whole machine's CPU time from <c>/proc/stat</c> (Linux): busy and total jiffies since boot, so two readings give
/// how busy every core was in between, FastLoad or not. Cold path (read at the start and end of sending).
/// </summary>
public static class MachineCpu
{
    /// <summary>(busy, total) jiffies over all cores; null where <c>/proc/stat</c> is not readable.</summary>
    public static (long Busy, long Total)? Read()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            string? line = reader.ReadLine();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal)) return null;
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long total = 0, idle = 0;
            // user nice system idle iowait irq softirq steal (guest time is already inside user)
            for (int i = 1; i < Math.Min(fields.Length, 9); i++)
            {
                long v = long.Parse(fields[i], CultureInfo.InvariantCulture);
                total += v;
                if (i is 4 or 5) idle += v;
            }
            return (total - idle, total);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Busy share of all cores between two readings; null when either is missing.</summary>
    public static double? BusyFraction((long Busy, long Total)? before, (long Busy, long Total)? after) =>
        before is { } b && after is { } a && a.Total > b.Total ? (a.Busy - b.Busy) / (double)(a.Total - b.Total) : null;
}
