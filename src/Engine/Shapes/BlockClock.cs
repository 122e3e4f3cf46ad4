namespace FastLoad.Engine.Shapes;

/// <summary>
/// When each new block was first seen during the run (by any node's watcher; a number seen again is ignored), for
/// <see cref="PerBlockShape"/>. One writer at a time (locked), readers without locks: an element is written before
/// the count that publishes it.
/// </summary>
public sealed class BlockClock
{
    private readonly Lock _gate = new();
    private long[] _seen = new long[256]; // ticks since the start
    private int _count;
    private ulong _lastNumber;
    private long _startTicks = long.MaxValue;
    private long _noted;

    /// <summary>Sending begins: blocks seen from now on release tokens.</summary>
    public void Begin(long startTicks) => Volatile.Write(ref _startTicks, startTicks);

    /// <summary>A watcher saw block <paramref name="number"/> at <paramref name="seenTicks"/>.</summary>
    public void OnBlock(ulong number, long seenTicks)
    {
        lock (_gate)
        {
            if (number <= _lastNumber) return;
            _lastNumber = number;
            Interlocked.Increment(ref _noted);
            long start = Volatile.Read(ref _startTicks);
            if (seenTicks < start) return;
            long[] seen = _seen;
            if (_count == seen.Length)
            {
                Array.Resize(ref seen, seen.Length * 2); // once per 256 blocks and more: cold
                Volatile.Write(ref _seen, seen);
            }
            seen[_count] = seenTicks - start;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>New blocks seen since the clock was made (before and after the start).</summary>
    public long Noted => Interlocked.Read(ref _noted);

    /// <summary>Blocks seen since the start.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>When block b (0-based, since the start) was seen, ticks since the start; b &lt; <see cref="Count"/>.</summary>
    public long SeenAt(int b) => Volatile.Read(ref _seen)[b];

    /// <summary>Blocks a second over the last two seen (0 before two have been).</summary>
    public double BlocksPerSecond
    {
        get
        {
            int n = Count;
            if (n < 2) return 0;
            long gap = SeenAt(n - 1) - SeenAt(n - 2);
            return gap > 0 ? System.Diagnostics.Stopwatch.Frequency / (double)gap : 0;
        }
    }
}
