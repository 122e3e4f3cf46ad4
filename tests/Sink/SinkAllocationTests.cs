using System.Text;
using FastLoad.Engine.Sink;

namespace FastLoad.Tests.Sink;

/// <summary>The sink's per-request work allocates nothing once its buffers have grown.</summary>
public class SinkAllocationTests
{
    [Fact]
    public void Answering_a_batch_of_100_raw_txs_allocates_nothing()
    {
        string body = "[" + string.Join(",", Enumerable.Range(0, 100).Select(i => SinkTestTxs.SendRaw(i, SinkTestTxs.SignHex((ulong)i).RawHex))) + "]";
        byte[] json = Encoding.UTF8.GetBytes(body);
        using var processor = new SinkRpcProcessor(31337);
        int answerLength = processor.Process(json).Length;   // warm up: JIT, buffer growth
        long before = GC.GetAllocatedBytesForCurrentThread();
        int accepted = 0;
        for (int i = 0; i < 10; i++)
        {
            answerLength = processor.Process(json).Length;
            accepted += processor.Accepted;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, accepted);
        Assert.True(answerLength > 100 * 64);
        Assert.Equal(0, allocated);
    }
}
