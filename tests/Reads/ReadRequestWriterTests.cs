using System.Text;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Reads;
using FastLoad.Engine.Receipts;

namespace FastLoad.Tests.Reads;

public class ReadRequestWriterTests
{
    private static readonly Address Wallet = Address.Parse("0x00000000000000000000000000000000000000aa");
    private static readonly Address Token = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly Hash256 TxHash = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static JsonElement Parse(byte[] buffer, int length)
    {
        using JsonDocument doc = JsonDocument.Parse(buffer.AsMemory(0, length));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Each_method_writes_the_json_rpc_call_it_names()
    {
        byte[] b = new byte[ReadRequestWriter.MaxLength];

        JsonElement blockNumber = Parse(b, ReadRequestWriter.WriteBlockNumber(b, 7));
        Assert.Equal(7, blockNumber.GetProperty("id").GetInt64());
        Assert.Equal("eth_blockNumber", blockNumber.GetProperty("method").GetString());
        Assert.Equal(0, blockNumber.GetProperty("params").GetArrayLength());

        JsonElement balance = Parse(b, ReadRequestWriter.WriteGetBalance(b, long.MaxValue, Wallet));
        Assert.Equal(long.MaxValue, balance.GetProperty("id").GetInt64());
        Assert.Equal("eth_getBalance", balance.GetProperty("method").GetString());
        Assert.Equal(Wallet.ToString(), balance.GetProperty("params")[0].GetString());
        Assert.Equal("latest", balance.GetProperty("params")[1].GetString());

        JsonElement call = Parse(b, ReadRequestWriter.WriteCall(b, 9, Token, Wallet));
        Assert.Equal("eth_call", call.GetProperty("method").GetString());
        Assert.Equal(Token.ToString(), call.GetProperty("params")[0].GetProperty("to").GetString());
        Assert.Equal("0x70a08231" + new string('0', 24) + Wallet.ToString()[2..], call.GetProperty("params")[0].GetProperty("data").GetString());
        Assert.Equal("latest", call.GetProperty("params")[1].GetString());

        JsonElement plainCall = Parse(b, ReadRequestWriter.WriteCall(b, 10, Wallet, null));
        Assert.Equal("0x", plainCall.GetProperty("params")[0].GetProperty("data").GetString());

        JsonElement receipt = Parse(b, ReadRequestWriter.WriteReceipt(b, 11, TxHash));
        Assert.Equal("eth_getTransactionReceipt", receipt.GetProperty("method").GetString());
        Assert.Equal(TxHash.ToString(), receipt.GetProperty("params")[0].GetString());
    }

    [Fact]
    public void Writing_read_requests_allocates_nothing()
    {
        byte[] b = new byte[ReadRequestWriter.MaxLength];
        Address? token = Token;
        int Write(long id) =>
            ReadRequestWriter.WriteBlockNumber(b, id) + ReadRequestWriter.WriteGetBalance(b, id, Wallet)
            + ReadRequestWriter.WriteCall(b, id, Token, Wallet) + ReadRequestWriter.WriteCall(b, id, Wallet, null) + ReadRequestWriter.WriteReceipt(b, id, TxHash);
        Write(1); // warm-up
        var recent = new RecentTxHashes();
        recent.Add(TxHash);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        for (long id = 0; id < 10_000; id++)
        {
            total += Write(id);
            recent.Add(TxHash);
            recent.TryGet(id, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 10_000 * 300);
    }

    [Fact]
    public void Method_names_parse_and_a_wrong_one_names_the_choices()
    {
        foreach (ReadMethod m in ReadMethods.All) Assert.Equal(m, ReadMethods.Parse(ReadMethods.Name(m)));
        var e = Assert.Throws<ArgumentException>(() => ReadMethods.Parse("foo"));
        Assert.Contains("--read-method 'foo' is unknown", e.Message);
        Assert.Contains("eth_getTransactionReceipt", e.Message);
    }

    [Fact]
    public void Recent_hashes_rotate_newest_first_over_what_is_held()
    {
        var recent = new RecentTxHashes();
        Assert.False(recent.TryGet(0, out _));
        var a = new Hash256(new byte[32]);
        var bytes = new byte[32];
        bytes[0] = 1;
        var c = new Hash256(bytes);
        recent.Add(a);
        recent.Add(c);
        Assert.True(recent.TryGet(0, out Hash256 first));
        Assert.Equal(c, first);
        Assert.True(recent.TryGet(1, out Hash256 second));
        Assert.Equal(a, second);
        Assert.True(recent.TryGet(2, out Hash256 third));
        Assert.Equal(c, third);
    }

    [Fact]
    public void Receipt_sample_takes_its_share_spread_over_the_ids()
    {
        var all = new ReceiptSample(100);
        var tenth = new ReceiptSample(10);
        var none = new ReceiptSample(0);
        int taken = 0;
        for (long id = 1; id <= 10_000; id++)
        {
            Assert.True(all.Takes(id));
            Assert.False(none.Takes(id));
            if (tenth.Takes(id)) taken++;
            Assert.Equal(tenth.Takes(id), new ReceiptSample(10).Takes(id)); // the same tx each time
        }
        Assert.InRange(taken, 900, 1100);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReceiptSample(150));
    }
}
