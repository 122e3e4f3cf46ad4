using System.Diagnostics;
using System.Diagnostics.Tracing;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Load;

namespace FastLoad.Tests.Load;

/// <summary>
/// What a 1M-tx replay builds before it sends (its ring of presigned slots, its inclusion tracker) goes to the large
/// object heap in a few big arrays, not into gen0: the program caps gen0 at 4 MB (`System.GC.Gen0MaxBudget`, see the
/// Runner's project file), so every 4 MB of small objects there is one more collection at set-up. The runtime's
/// allocation events (one each ~100 KB, saying small or large heap) are counted for this test's thread only.
/// </summary>
[Collection(nameof(Integration.SaturatingCollection))] // an event session for the whole process: kept to one at a time
public class ReplaySetupGcTests
{
    private sealed class AllocationTicks : EventListener
    {
        private readonly ulong _thread;
        public long SmallBytes;
        public long LargeBytes;
        public volatile bool SawTrackerTable;
        public volatile bool SawAny;

        public AllocationTicks(ulong thread) => _thread = thread;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is not ("GCAllocationTick_V4" or "GCAllocationTick_V3") || (ulong)e.OSThreadId != _thread) return;
            long amount = Convert.ToInt64(e.Payload![e.PayloadNames!.IndexOf("AllocationAmount64")]);
            int kind = Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("AllocationKind")]); // 0 small, 1 large, 2 pinned
            SawAny = true;
            if (kind == 0) Interlocked.Add(ref SmallBytes, amount);
            else Interlocked.Add(ref LargeBytes, amount);
            if (e.Payload[e.PayloadNames.IndexOf("TypeName")] is string type && (type == "Entry[]" || type.Contains("InclusionTracker", StringComparison.Ordinal))) SawTrackerTable = true; // its nested Entry[] (the name comes without the outer type)
        }
    }

    [Fact]
    public void Rings_and_tracker_of_a_million_tx_replay_put_under_8_MB_on_the_small_object_heap()
    {
        using var ticks = new AllocationTicks(GetCurrentThreadId());
        // The event session starts a little after the listener: allocate until this thread's first event is seen.
        var clock = Stopwatch.StartNew();
        while (!ticks.SawAny && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            GC.KeepAlive(new byte[200_000]);
            Thread.Sleep(10);
        }
        Assert.True(ticks.SawAny, "no allocation event within 20 s");
        Interlocked.Exchange(ref ticks.SmallBytes, 0);
        Interlocked.Exchange(ref ticks.LargeBytes, 0);
        // What `run --replay FILE --max` builds for one node: 20,000 slots asked (rounded to 32,768), room for a
        // 512-byte envelope each, and a tracker sized for the file's 1,000,000 txs (allocated last: the marker).
        var ring = new PresignedRing(20_000, CallWriter.MaxLength(512));
        InclusionTracker tracker = InclusionTracker.ForRun(1_000_000);
        clock.Restart();
        while (!ticks.SawTrackerTable && clock.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(10); // events arrive in order, a little late
        Assert.True(ticks.SawTrackerTable, "no allocation event for the tracker's table within 20 s");
        // The ring's slot objects (about 150 bytes each with their tx hash arrays: ~5 MB) are the small part; before
        // the slab, each slot's 1.1 KB call buffer was a small array too: 41 MB, 7-10 gen0 collections at 4 MB each.
        Assert.InRange(ticks.SmallBytes, 0, 8L << 20);
        Assert.True(ticks.LargeBytes >= 128L << 20, $"{ticks.LargeBytes:N0} bytes seen on the large object heap");
        Assert.Equal(32_768, ring.Capacity);
        Assert.Equal(1 << 21, tracker.Capacity);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetTid();

    private static ulong GetCurrentThreadId() => (ulong)GetTid();
}
