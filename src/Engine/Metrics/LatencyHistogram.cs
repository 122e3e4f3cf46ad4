using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastLoad.Engine.Metrics;

/// <summary>
/// HDR-style log-linear latency histogram over microseconds, backed by one preallocated <c>long[]</c>.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> Values 0..255 get one bucket each (exact). Above that, every power of two
/// [2^m, 2^(m+1)) is split into <see cref="SubBucketCount"/> = 128 linear sub-buckets of width 2^(m-7),
/// so a bucket's width is at most 1/128 of its lowest value: relative error &lt; 0.79 %.
/// The index is <c>shift * 128 + (v &gt;&gt; shift)</c> with <c>shift = max(0, msb(v) - 7)</c>, computed
/// branch-free from <see cref="BitOperations.LeadingZeroCount(ulong)"/>. The top power is the one holding
/// the requested highest trackable value, so <see cref="HighestTrackableMicros"/> is rounded up to
/// 2^(m+1) - 1; the default (one hour, 3.6e9 µs) gives 2^32 - 1 µs (≈ 71.6 min) in 3,328 buckets
/// (26,624 bytes of counts).</para>
/// <para><b>Out of range.</b> Values above <see cref="HighestTrackableMicros"/> are clamped to it (top bucket)
/// and counted in <see cref="Overflows"/>; <see cref="Min"/>, <see cref="Max"/> and <see cref="Mean"/> see the
/// clamped value too, so every statistic agrees with the buckets. Negative values (clock anomalies) are
/// recorded as 0.</para>
/// <para><b>Thread safety.</b> <see cref="Record"/> and <see cref="RecordCorrected"/> are for a single writer
/// (plain increments, no fences). <see cref="RecordConcurrent"/> may be called from any number of threads at
/// once, but must not be mixed with concurrent <see cref="Record"/> calls on the same instance. The totals
/// (<see cref="Count"/>, sum) are shared cache lines under <see cref="RecordConcurrent"/>; for many busy
/// writers a histogram per thread merged with <see cref="Add"/> scales better. Readers
/// (<see cref="ValueAtPercentile"/>, <see cref="Add"/>, <see cref="CopyTo"/>, enumeration) are not atomic with
/// respect to writers: take snapshots when writers are quiescent, or accept a few samples of skew.</para>
/// </remarks>
public sealed class LatencyHistogram
{
    /// <summary>Linear sub-buckets per power of two (2^7).</summary>
    public const int SubBucketCount = 1 << SubBucketBits;

    /// <summary>Default highest trackable value: one hour in microseconds (rounded up to 2^32 - 1).</summary>
    public const long DefaultHighestTrackableMicros = 3_600_000_000;

    private const int SubBucketBits = 7;
    private const int SubBucketMask = SubBucketCount - 1;
    // Values below 2 * SubBucketCount have bucket width 1; OR-ing this mask in makes msb >= 7 so shift >= 0.
    private const ulong ExactMask = 2 * SubBucketCount - 1;

    private readonly long[] _counts;
    private readonly long _highestTrackable;
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;
    private long _overflows;

    /// <param name="highestTrackableMicros">Largest value kept at full resolution; rounded up to the end of its
    /// power of two (at least 255).</param>
    public LatencyHistogram(long highestTrackableMicros = DefaultHighestTrackableMicros)
    {
        if (highestTrackableMicros <= 0) ThrowHighestTrackable(highestTrackableMicros);
        int topShift = 56 - BitOperations.LeadingZeroCount((ulong)highestTrackableMicros | ExactMask);
        _highestTrackable = (long)((2UL << (topShift + SubBucketBits)) - 1); // 2^(msb+1) - 1
        _counts = new long[(topShift + 2) << SubBucketBits];
    }

    /// <summary>Largest value with its own bucket; larger values clamp to it.</summary>
    public long HighestTrackableMicros => _highestTrackable;

    /// <summary>Number of buckets (length of the counts array).</summary>
    public int BucketCount => _counts.Length;

    /// <summary>Bucket counts, indexed as described in the remarks (read-only view for export).</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Samples recorded, including overflows and synthetic samples from <see cref="RecordCorrected"/>.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Samples that were above <see cref="HighestTrackableMicros"/> and clamped into the top bucket.</summary>
    public long Overflows => Volatile.Read(ref _overflows);

    /// <summary>Smallest recorded value (exact), 0 when empty.</summary>
    public long Min => Count == 0 ? 0 : Volatile.Read(ref _min);

    /// <summary>Largest recorded value (exact, clamped to <see cref="HighestTrackableMicros"/>), 0 when empty.</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>Exact arithmetic mean of the recorded (clamped) values, 0 when empty.</summary>
    public double Mean
    {
        get
        {
            long count = Count;
            return count == 0 ? 0 : (double)Volatile.Read(ref _sum) / count;
        }
    }

    /// <summary>Records one value. Single writer only; O(1), no allocation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long micros)
    {
        if ((ulong)micros > (ulong)_highestTrackable)
        {
            RecordOutOfRange(micros);
            return;
        }
        // In range, so the index is inside the array: skip the bounds check.
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), IndexOf(micros))++;
        _count++;
        _sum += micros;
        if (micros < _min) _min = micros;
        if (micros > _max) _max = micros;
    }

    /// <summary>Records one value; safe to call from many threads at once (lock-free, no allocation).</summary>
    public void RecordConcurrent(long micros)
    {
        if ((ulong)micros > (ulong)_highestTrackable)
        {
            micros = ClampOutOfRange(micros, concurrent: true);
        }
        Interlocked.Increment(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), IndexOf(micros)));
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        if (micros < Volatile.Read(ref _min)) UpdateMinConcurrent(micros);
        if (micros > Volatile.Read(ref _max)) UpdateMaxConcurrent(micros);
    }

    /// <summary>
    /// Records a value with coordinated-omission correction (HdrHistogram's
    /// <c>recordValueWithExpectedInterval</c>): when <paramref name="micros"/> exceeds
    /// <paramref name="expectedIntervalMicros"/>, the samples a stalled sender failed to send are added too:
    /// micros - interval, micros - 2·interval, … down to (and including values ≥) interval.
    /// Single writer only. The synthetic samples are added per bucket in bulk, so the cost is bounded by the
    /// number of buckets, not by micros / interval. A non-positive interval records the value alone.
    /// </summary>
    public void RecordCorrected(long micros, long expectedIntervalMicros)
    {
        Record(micros);
        if (expectedIntervalMicros <= 0 || micros - expectedIntervalMicros < expectedIntervalMicros) return;
        RecordMissing(micros - expectedIntervalMicros, expectedIntervalMicros);
    }

    /// <summary>
    /// Value at percentile <paramref name="percentile"/> (0..100, clamped): the highest value equivalent to
    /// the bucket holding the sample of rank round(p/100 · Count) (at least 1), as HdrHistogram does, so
    /// p100 ≥ <see cref="Max"/>. p0 returns the lowest value of the first non-empty bucket. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        long count = Count;
        if (count == 0) return 0;
        percentile = double.IsNaN(percentile) ? 0 : Math.Clamp(percentile, 0, 100);
        long rank = Math.Max(1, (long)(percentile / 100 * count + 0.5));
        ReadOnlySpan<long> counts = _counts;
        long seen = 0;
        int last = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long c = counts[i];
            if (c == 0) continue;
            if (percentile == 0) return LowestEquivalentOfIndex(i);
            last = i;
            seen += c;
            if (seen >= rank) return HighestEquivalentOfIndex(i);
        }
        // Only reachable while concurrent writers move Count ahead of the buckets.
        return HighestEquivalentOfIndex(last);
    }

    /// <summary>
    /// <see cref="ValueAtPercentile"/> in milliseconds (values are µs), never above the largest value recorded (a
    /// bucket's upper edge can be; a printed p99 above the printed max would be a lie); null while empty.
    /// </summary>
    public double? MillisAtPercentile(double percentile) => Count == 0 ? null : Math.Min(ValueAtPercentile(percentile), Max) / 1000.0;

    /// <summary>Adds every sample of <paramref name="other"/> into this histogram (same layout required).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._counts.Length != _counts.Length) ThrowLayoutMismatch(nameof(other));
        Span<long> dst = _counts;
        ReadOnlySpan<long> src = other._counts;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= dst.Length - Vector<long>.Count; i += Vector<long>.Count)
            {
                (new Vector<long>(dst.Slice(i)) + new Vector<long>(src.Slice(i))).CopyTo(dst.Slice(i));
            }
        }
        for (; i < dst.Length; i++) dst[i] += src[i];
        long otherCount = other.Count;
        if (otherCount == 0) return;
        _count += otherCount;
        _sum += other._sum;
        _overflows += other._overflows;
        if (other._min < _min) _min = other._min;
        if (other._max > _max) _max = other._max;
    }

    /// <summary>Clears all counts and statistics; keeps the array.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        _count = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = 0;
        _overflows = 0;
    }

    /// <summary>Overwrites <paramref name="target"/> (same layout) with this histogram's state, for snapshots.</summary>
    public void CopyTo(LatencyHistogram target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target._counts.Length != _counts.Length) ThrowLayoutMismatch(nameof(target));
        _counts.AsSpan().CopyTo(target._counts);
        target._count = _count;
        target._sum = _sum;
        target._min = _min;
        target._max = _max;
        target._overflows = _overflows;
    }

    /// <summary>Allocation-free <c>foreach</c> over the non-empty buckets, in ascending value order.</summary>
    public BucketEnumerator NonEmptyBuckets => new(_counts);

    /// <summary>Index of the bucket holding <paramref name="micros"/> (0 ≤ micros ≤ <see cref="HighestTrackableMicros"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(long micros)
    {
        int shift = 56 - BitOperations.LeadingZeroCount((ulong)micros | ExactMask);
        return (shift << SubBucketBits) + (int)((ulong)micros >> shift);
    }

    /// <summary>Lowest value that falls into bucket <paramref name="index"/>.</summary>
    public static long LowestEquivalentOfIndex(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketBits) - 1);
        long sub = shift == 0 ? index : (index & SubBucketMask) | SubBucketCount;
        return sub << shift;
    }

    /// <summary>Highest value that falls into bucket <paramref name="index"/>.</summary>
    public static long HighestEquivalentOfIndex(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketBits) - 1);
        return LowestEquivalentOfIndex(index) + (1L << shift) - 1;
    }

    /// <summary>Lowest value in the same bucket as <paramref name="micros"/>.</summary>
    public static long LowestEquivalentValue(long micros) => LowestEquivalentOfIndex(IndexOf(Math.Max(0, micros)));

    /// <summary>Highest value in the same bucket as <paramref name="micros"/>.</summary>
    public static long HighestEquivalentValue(long micros) => HighestEquivalentOfIndex(IndexOf(Math.Max(0, micros)));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOutOfRange(long micros)
    {
        micros = ClampOutOfRange(micros, concurrent: false);
        _counts[IndexOf(micros)]++;
        _count++;
        _sum += micros;
        if (micros < _min) _min = micros;
        if (micros > _max) _max = micros;
    }

    private long ClampOutOfRange(long micros, bool concurrent)
    {
        if (micros < 0) return 0;
        if (concurrent) Interlocked.Increment(ref _overflows);
        else _overflows++;
        return _highestTrackable;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UpdateMinConcurrent(long micros)
    {
        long current = Volatile.Read(ref _min);
        while (micros < current)
        {
            long seen = Interlocked.CompareExchange(ref _min, micros, current);
            if (seen == current) return;
            current = seen;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UpdateMaxConcurrent(long micros)
    {
        long current = Volatile.Read(ref _max);
        while (micros > current)
        {
            long seen = Interlocked.CompareExchange(ref _max, micros, current);
            if (seen == current) return;
            current = seen;
        }
    }

    // Adds first, first - interval, …, down to the last value ≥ interval; first ≥ interval > 0.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordMissing(long first, long interval)
    {
        long n = (first - interval) / interval + 1;
        long last = first - (n - 1) * interval;
        long[] counts = _counts;
        long cur = first;
        long remaining = n;
        Int128 sum = 0;
        if (cur > _highestTrackable)
        {
            // Synthetic samples above the range clamp into the top bucket like any other overflow.
            long k = Math.Min(remaining, (cur - _highestTrackable - 1) / interval + 1);
            counts[^1] += k;
            _overflows += k;
            sum += (Int128)k * _highestTrackable;
            remaining -= k;
            cur -= k * interval;
        }
        if (remaining > 0)
        {
            // Arithmetic series cur, cur - interval, …, last.
            sum += (Int128)remaining * ((Int128)cur + last) / 2;
        }
        while (remaining > 0)
        {
            int index = IndexOf(cur);
            long k = Math.Min(remaining, (cur - LowestEquivalentOfIndex(index)) / interval + 1);
            counts[index] += k;
            remaining -= k;
            cur -= k * interval;
        }
        _count += n;
        _sum += (long)sum;
        long lowest = Math.Min(last, _highestTrackable);
        if (lowest < _min) _min = lowest;
        // The largest synthetic sample is below the recorded value, so Max is already right.
    }

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowHighestTrackable(long value) =>
        throw new ArgumentOutOfRangeException(nameof(value), value, "Highest trackable value must be positive.");

    [DoesNotReturn, StackTraceHidden]
    private static void ThrowLayoutMismatch(string paramName) =>
        throw new ArgumentException("Histograms have different layouts (highest trackable value).", paramName);

    /// <summary>One non-empty bucket: values <see cref="LowMicros"/>..<see cref="HighMicros"/> inclusive.</summary>
    public readonly record struct Bucket(long LowMicros, long HighMicros, long Count);

    /// <summary>Enumerates non-empty buckets without allocating; use with <c>foreach</c>.</summary>
    public ref struct BucketEnumerator
    {
        private readonly ReadOnlySpan<long> _counts;
        private int _index;

        internal BucketEnumerator(ReadOnlySpan<long> counts)
        {
            _counts = counts;
            _index = -1;
        }

        public readonly BucketEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (++_index < _counts.Length)
            {
                if (_counts[_index] != 0) return true;
            }
            return false;
        }

        public readonly Bucket Current =>
            new(LowestEquivalentOfIndex(_index), HighestEquivalentOfIndex(_index), _counts[_index]);
    }
}
