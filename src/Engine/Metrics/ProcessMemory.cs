using Microsoft.Win32.SafeHandles;

namespace FastLoad.Engine.Metrics;

/// <summary>
/// This process's memory, cheap enough to read once a second while a run sends: resident set size from
/// <c>/proc/self/statm</c> (one small read, no <see cref="System.Diagnostics.Process"/> object), and the managed
/// heap size as of the last GC.
/// </summary>
public static class ProcessMemory
{
    public const double BytesPerMiB = 1024 * 1024;

    /// <summary>
    /// Resident set size in bytes: every page of the process in RAM (managed heap, native libraries such as DuckDB's
    /// buffers, thread stacks, mapped code). Falls back to <see cref="Environment.WorkingSet"/> where there is no procfs.
    /// </summary>
    public static long ResidentBytes()
    {
        try
        {
            using SafeFileHandle statm = File.OpenHandle("/proc/self/statm");
            Span<byte> text = stackalloc byte[128];
            int length = RandomAccess.Read(statm, text, 0);
            // "size resident shared text lib data dt", in pages: the second field.
            ReadOnlySpan<byte> fields = text[..length];
            int space = fields.IndexOf((byte)' ');
            if (space < 0) return Environment.WorkingSet;
            long pages = 0;
            for (int i = space + 1; i < fields.Length && fields[i] is >= (byte)'0' and <= (byte)'9'; i++) pages = pages * 10 + (fields[i] - '0');
            return pages * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Environment.WorkingSet;
        }
    }

    /// <summary>
    /// Managed heap size in bytes as of the last GC (<see cref="GCMemoryInfo.HeapSizeBytes"/>): live objects plus
    /// fragmentation, all generations including the large and pinned object heaps. Unlike
    /// <see cref="GC.GetTotalMemory(bool)"/> it does not climb with garbage allocated since that GC, so it rises
    /// only when what survives collections rises, which is what a leak looks like. Before the first GC, the bytes
    /// allocated so far.
    /// </summary>
    public static long ManagedHeapBytes()
    {
        long heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        return heap > 0 ? heap : GC.GetTotalMemory(forceFullCollection: false);
    }
}
