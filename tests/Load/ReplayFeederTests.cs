using System.Diagnostics;
using System.Text;
using FastLoad.Engine.Load;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Load;

/// <summary>The replay stage alone: a presigned file into rings, without a node.</summary>
public sealed class ReplayFeederTests : IDisposable
{
    private const int Count = 5_000; // two blocks
    private readonly string _path = TestPaths.NewFile(".bin");

    public ReplayFeederTests()
    {
        using var file = new FileStream(_path, FileMode.CreateNew);
        var writer = new PresignedFileWriter(file, new PresignedHeader
        {
            ChainId = 31337, TxType = "eip1559", Seed = "feed-test", Funder = TestKeys.Funder.Address.ToString(), Wallets = 4, Shard = "0/1",
            Count = Count, MaxCostPerTx = "1",
        });
        var slot = new PresignedTx(256);
        for (int i = 0; i < Count; i++)
        {
            // Wallets 0..3 in turn, and every 100th record a wallet index no wallet set has.
            int wallet = i % 100 == 99 ? 1_000 + i : i % 4;
            string call = $"{{\"jsonrpc\":\"2.0\",\"id\":{i + 1},\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x{new string('b', i % 70)}\"]}}";
            slot.CallLength = Encoding.ASCII.GetBytes(call, slot.Call);
            slot.Nonce = (ulong)i;
            Array.Fill(slot.TxHash, (byte)i);
            slot.Wallet = new Wallet(wallet, TestKeys.Funder);
            writer.Write(slot);
        }
        writer.Complete();
    }

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Feeds_this_shards_records_in_file_order_onto_each_wallets_node_and_skips_the_rest()
    {
        // Shard 0/2 of 4 wallets holds wallets 0 and 2; two nodes: wallet 0 → node 0, wallet 2 → node 1.
        WalletSet wallets = WalletSet.Derive(TestKeys.Funder, "feed-test", 4, Shard.Parse("0/2"), 1, 2);
        var rings = new[] { new PresignedRing(4096, CallWriter.MaxLength(512)), new PresignedRing(4096, CallWriter.MaxLength(512)) };
        var feeder = new ReplayFeeder(_path, wallets, rings, limit: -1);
        var fed = new List<(int Node, long Id, ulong Nonce, int Wallet, byte Hash, string Call, long Ticks)>();
        long before = Stopwatch.GetTimestamp();
        feeder.Start();
        var clock = Stopwatch.StartNew();
        while (!feeder.Finished || rings[0].Count + rings[1].Count > 0)
        {
            Assert.Null(feeder.Error);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the feeder fed {feeder.Produced} txs in 30 s");
            bool any = false;
            for (int node = 0; node < rings.Length; node++)
            {
                while (rings[node].TryBeginRead(out PresignedTx slot, out long position))
                {
                    fed.Add((node, slot.Id, slot.Nonce, slot.Wallet!.Index, slot.TxHash[0], Encoding.ASCII.GetString(slot.CallBytes), slot.SignedTicks));
                    Assert.Equal(slot.Wallet.Epoch, slot.Epoch);
                    rings[node].EndRead(position);
                    any = true;
                }
            }
            if (!any) Thread.Yield();
        }
        feeder.Stop();

        int[] expected = Enumerable.Range(0, Count).Where(i => i % 100 != 99 && i % 4 is 0 or 2).ToArray();
        Assert.Equal(expected.Length, feeder.Produced);
        Assert.Equal(Count - expected.Length, feeder.Skipped);
        foreach (int node in new[] { 0, 1 })
        {
            int[] mine = expected.Where(i => i % 4 == node * 2).ToArray();
            var got = fed.Where(f => f.Node == node).ToList();
            Assert.Equal(mine.Length, got.Count);
            for (int k = 0; k < mine.Length; k++)
            {
                int i = mine[k];
                Assert.Equal(i + 1, got[k].Id);
                Assert.Equal((ulong)i, got[k].Nonce);
                Assert.Equal(i % 4, got[k].Wallet);
                Assert.Equal((byte)i, got[k].Hash);
                Assert.Equal($"{{\"jsonrpc\":\"2.0\",\"id\":{i + 1},\"method\":\"eth_sendRawTransaction\",\"params\":[\"0x{new string('b', i % 70)}\"]}}", got[k].Call);
            }
        }
        // Each slot's time is a clock reading taken while the feeder ran, never before it started and never going back.
        long after = Stopwatch.GetTimestamp();
        foreach (int node in new[] { 0, 1 })
        {
            long last = before;
            foreach (var f in fed.Where(f => f.Node == node))
            {
                Assert.InRange(f.Ticks, last, after);
                last = f.Ticks;
            }
        }
    }

    [Fact]
    public void Stops_at_its_limit()
    {
        WalletSet wallets = WalletSet.Derive(TestKeys.Funder, "feed-test", 4, Shard.Parse("0/1"), 1, 1);
        var rings = new[] { new PresignedRing(4096, CallWriter.MaxLength(512)) };
        var feeder = new ReplayFeeder(_path, wallets, rings, limit: 1_000);
        feeder.Start();
        var clock = Stopwatch.StartNew();
        while (!feeder.Finished && feeder.Error is null && clock.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(5);
        feeder.Stop();
        Assert.True(feeder.Finished, "the feeder did not finish within 30 s");
        Assert.Equal(1_000, feeder.Produced);
        Assert.Equal(1_000, rings[0].Count);
    }
}
