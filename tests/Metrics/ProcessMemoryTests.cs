using FastLoad.Engine.Metrics;

namespace FastLoad.Tests.Metrics;

public class ProcessMemoryTests
{
    [Fact]
    public void Resident_bytes_agree_with_the_process_working_set()
    {
        // Two readings of the same kernel counter (statm's resident pages, Process's /proc/pid/stat rss), moments apart.
        long before = Environment.WorkingSet;
        long rss = ProcessMemory.ResidentBytes();
        long after = Environment.WorkingSet;
        Assert.InRange(rss, Math.Min(before, after) * 9 / 10, Math.Max(before, after) * 11 / 10);
    }

    [Fact]
    public void Managed_heap_counts_what_survives_a_collection()
    {
        var kept = new byte[64 << 20];
        Array.Fill(kept, (byte)1); // touched, so resident too
        GC.Collect();
        long heap = ProcessMemory.ManagedHeapBytes();
        long rss = ProcessMemory.ResidentBytes();
        Assert.InRange(heap, 64L << 20, rss);
        GC.KeepAlive(kept);
    }
}
