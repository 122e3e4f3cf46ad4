using FastLoad.Engine.Load;

namespace FastLoad.Tests.Load;

public class PresignedRingTests
{
    [Fact]
    public void Reports_full_and_empty_at_capacity()
    {
        var ring = new PresignedRing(4, 64);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryBeginWrite(out PresignedTx tx, out long pos));
            tx.Id = i;
            ring.EndWrite(pos);
        }
        Assert.False(ring.TryBeginWrite(out _, out _));
        Assert.Equal(4, ring.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryBeginRead(out PresignedTx tx, out long pos));
            Assert.Equal(i, tx.Id);
            ring.EndRead(pos);
        }
        Assert.False(ring.TryBeginRead(out _, out _));
    }

    [Fact]
    public void Slots_keep_their_calls_apart_in_the_shared_slab_and_a_longer_call_gets_its_own_buffer()
    {
        var ring = new PresignedRing(4, 8);
        var slots = new PresignedTx[4];
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryBeginWrite(out slots[i], out long pos));
            Assert.Equal(8, slots[i].Call.Length);
            slots[i].Call.Fill((byte)('a' + i));
            slots[i].CallLength = 8;
            ring.EndWrite(pos);
        }
        slots[1].EnsureCapacity(20); // past the slab's 8 bytes: moves to a buffer of its own
        Assert.True(slots[1].Call.Length >= 20);
        slots[1].Call[..20].Fill((byte)'z');
        slots[1].CallLength = 20;
        Assert.Equal("aaaaaaaa", System.Text.Encoding.ASCII.GetString(slots[0].CallBytes));
        Assert.Equal(new string('z', 20), System.Text.Encoding.ASCII.GetString(slots[1].CallBytes));
        Assert.Equal("cccccccc", System.Text.Encoding.ASCII.GetString(slots[2].CallBytes));
        Assert.Equal("dddddddd", System.Text.Encoding.ASCII.GetString(slots[3].CallBytes));
    }

    [Fact]
    public void Many_producers_and_consumers_pass_every_item_exactly_once()
    {
        var ring = new PresignedRing(64, 16);
        const int producers = 3, perProducer = 50_000;
        var seen = new int[producers * perProducer];
        long consumed = 0;
        var threads = new List<Thread>();
        for (int p = 0; p < producers; p++)
        {
            int producer = p;
            threads.Add(new Thread(() =>
            {
                for (int i = 0; i < perProducer; i++)
                {
                    PresignedTx tx;
                    long pos;
                    while (!ring.TryBeginWrite(out tx, out pos)) Thread.SpinWait(10);
                    tx.Id = producer * perProducer + i;
                    ring.EndWrite(pos);
                }
            }));
        }
        for (int c = 0; c < 2; c++)
        {
            threads.Add(new Thread(() =>
            {
                while (Interlocked.Read(ref consumed) < producers * perProducer)
                {
                    if (!ring.TryBeginRead(out PresignedTx tx, out long pos)) { Thread.SpinWait(10); continue; }
                    Interlocked.Increment(ref seen[tx.Id]);
                    ring.EndRead(pos);
                    Interlocked.Increment(ref consumed);
                }
            }));
        }
        threads.ForEach(t => t.Start());
        Assert.True(threads.All(t => t.Join(TimeSpan.FromSeconds(60))), "ring test timed out");
        Assert.All(seen, count => Assert.Equal(1, count));
    }

    [Fact]
    public void Write_and_read_allocate_nothing()
    {
        var ring = new PresignedRing(16, 16);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            ring.TryBeginWrite(out PresignedTx tx, out long w);
            tx.Id = i;
            ring.EndWrite(w);
            ring.TryBeginRead(out _, out long r);
            ring.EndRead(r);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

public class BoundedRingTests
{
    [Fact]
    public void Structs_go_through_in_order_and_a_full_ring_refuses()
    {
        var ring = new FastLoad.Engine.Load.BoundedRing<(long A, int B)>(4);
        for (int i = 0; i < 4; i++) Assert.True(ring.TryWrite((i, i * 10)));
        Assert.False(ring.TryWrite((99, 99)));
        Assert.Equal(4, ring.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out (long A, int B) item));
            Assert.Equal((i, i * 10), item);
        }
        Assert.False(ring.TryRead(out _));
    }

    [Fact]
    public void Many_writers_one_reader_lose_nothing_and_allocate_nothing()
    {
        var ring = new FastLoad.Engine.Load.BoundedRing<long>(1024);
        const int perWriter = 200_000;
        long sum = 0, count = 0, readerAllocated = 0;
        var writers = Enumerable.Range(0, 3).Select(w => new Thread(() =>
        {
            for (long i = 1; i <= perWriter; i++)
                while (!ring.TryWrite(i)) Thread.SpinWait(10);
        })).ToArray();
        var reader = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            while (count < 3L * perWriter)
            {
                if (ring.TryRead(out long v)) { sum += v; count++; }
            }
            readerAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        reader.Start();
        foreach (Thread t in writers) t.Start();
        foreach (Thread t in writers) t.Join();
        reader.Join();
        Assert.Equal(3L * perWriter * (perWriter + 1) / 2, sum);
        Assert.Equal(0, readerAllocated);
    }
}

public class BoundedRingBatchTests
{
    [Fact]
    public void Batch_reads_take_what_is_published_in_order_and_two_readers_split_without_loss()
    {
        var ring = new FastLoad.Engine.Load.BoundedRing<long>(64);
        for (long i = 0; i < 10; i++) Assert.True(ring.TryWrite(i));
        Assert.True(ring.TryBeginReadBatch(4, out long first, out int count));
        Assert.Equal((0L, 4), (first, count));
        for (long p = first; p < first + count; p++)
        {
            Assert.Equal(p, ring[p]);
            ring.EndRead(p);
        }
        Assert.True(ring.TryBeginReadBatch(100, out first, out count));
        Assert.Equal((4L, 6), (first, count)); // only what is published
        for (long p = first; p < first + count; p++) ring.EndRead(p);
        Assert.False(ring.TryBeginReadBatch(100, out _, out _));

        // Three writers, two batch readers: every item exactly once.
        const int perWriter = 100_000;
        long total = 0, seen = 0;
        var writers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (long i = 1; i <= perWriter; i++)
                while (!ring.TryWrite(i)) Thread.SpinWait(5);
        })).ToArray();
        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (Interlocked.Read(ref seen) < 3L * perWriter)
            {
                if (!ring.TryBeginReadBatch(16, out long f, out int c)) continue;
                long sum = 0;
                for (long p = f; p < f + c; p++)
                {
                    sum += ring[p];
                    ring.EndRead(p);
                }
                Interlocked.Add(ref total, sum);
                Interlocked.Add(ref seen, c);
            }
        })).ToArray();
        foreach (Thread t in readers.Concat(writers)) t.Start();
        foreach (Thread t in readers.Concat(writers)) t.Join();
        Assert.Equal(3L * perWriter * (perWriter + 1) / 2, total);
        Assert.Equal(3L * perWriter, seen);
    }
}
