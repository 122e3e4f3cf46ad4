using FastLoad.Engine.Preconf;
using FastLoad.Engine.Primitives;

namespace FastLoad.Tests.Preconf;

public class PreconfTrackerTests
{
    private static Hash256 H(byte b)
    {
        var bytes = new byte[32];
        bytes.AsSpan().Fill(b);
        return new Hash256(bytes);
    }

    [Fact]
    public void Each_stream_matches_a_tx_once_and_the_first_stream_is_marked_first()
    {
        var tracker = new PreconfTracker(streams: 2);
        tracker.Add(H(1), id: 7, intendedTicks: 1000);
        Assert.True(tracker.TryMatch(1, H(1).Bytes, out long id, out long intended, out bool first));
        Assert.Equal((7, 1000, true), (id, intended, first));
        Assert.False(tracker.TryMatch(1, H(1).Bytes, out _, out _, out _)); // the same stream again: not a first mention
        Assert.True(tracker.TryMatch(0, H(1).Bytes, out id, out _, out first));
        Assert.Equal((7, false), (id, first));
        Assert.Equal(0, tracker.Tracked); // every stream had its say: let go
        Assert.False(tracker.TryMatch(0, H(1).Bytes, out _, out _, out _));
    }

    [Fact]
    public void Unknown_and_refused_txs_do_not_match()
    {
        var tracker = new PreconfTracker(streams: 1);
        tracker.Add(H(1), 1, 0);
        tracker.Add(H(2), 2, 0);
        tracker.Forget(H(2));
        Assert.False(tracker.TryMatch(0, H(3).Bytes, out _, out _, out _));
        Assert.False(tracker.TryMatch(0, H(2).Bytes, out _, out _, out _));
        Assert.True(tracker.TryMatch(0, H(1).Bytes, out long id, out _, out _));
        Assert.Equal(1, id);
    }

    [Fact]
    public void A_tx_sent_again_keeps_its_first_send()
    {
        var tracker = new PreconfTracker(streams: 1);
        tracker.Add(H(1), 1, 100);
        tracker.Add(H(1), 2, 200);
        Assert.True(tracker.TryMatch(0, H(1).Bytes, out long id, out long intended, out _));
        Assert.Equal((1, 100), (id, intended));
    }

    [Fact]
    public void Beyond_its_bound_it_counts_instead_of_holding()
    {
        var tracker = new PreconfTracker(streams: 1, capacity: 4) { MaxTracked = 3 };
        for (byte b = 1; b <= 5; b++) tracker.Add(H(b), b, 0);
        Assert.Equal(3, tracker.Tracked);
        Assert.Equal(2, tracker.Untracked);
        Assert.False(tracker.TryMatch(0, H(5).Bytes, out _, out _, out _));
    }

    [Fact]
    public void Matching_allocates_nothing()
    {
        var tracker = new PreconfTracker(streams: 64);
        tracker.Add(H(9), 9, 0);
        tracker.TryMatch(0, H(9).Bytes, out _, out _, out _);
        Hash256 hash = H(9);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int s = 1; s < 64; s++) Assert.True(tracker.TryMatch(s, hash.Bytes, out _, out _, out _));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
