using FastLoad.Engine.Load;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Load;

public class WalletTests
{
    [Fact]
    public void Shards_and_signer_threads_never_share_a_wallet()
    {
        var shards = Enumerable.Range(0, 3).Select(i => WalletSet.Derive(TestKeys.Funder, "partition", 100, new Shard(i, 3), signerThreads: 4, nodeCount: 2)).ToArray();
        int[] indices = shards.SelectMany(s => s.All).Select(w => w.Index).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100), indices);
        foreach (WalletSet set in shards)
        {
            var perThread = set.BySigner.SelectMany(ws => ws).Select(w => w.Index).ToArray();
            Assert.Equal(perThread.Length, perThread.Distinct().Count());
            Assert.Equal(set.All.Length, perThread.Length);
        }
        // Same seed and index: same key in every process.
        Assert.Equal(shards[1].All[0].Address, WalletSet.Derive(TestKeys.Funder, "partition", 100, Shard.Single, 1, 1).All[1].Address);
    }

    [Fact]
    public void Parses_shard_or_explains_the_form()
    {
        Assert.Equal(new Shard(2, 4), Shard.Parse("2/4"));
        var error = Assert.Throws<ArgumentException>(() => Shard.Parse("4/4"));
        Assert.Contains("i/N", error.Message);
    }

    [Fact]
    public void Invalidation_bumps_epoch_once_and_resync_restores_signing()
    {
        Wallet wallet = WalletSet.Derive(TestKeys.Funder, "resync", 1, Shard.Single, 1, 1).All[0];
        wallet.NextNonce = 10;
        Assert.True(wallet.TryPrepareToSign(out int epoch, out _));
        wallet.RecordSent();
        wallet.RecordSent();
        Assert.True(wallet.Invalidate(epoch));
        Assert.False(wallet.Invalidate(epoch)); // a second failure of the same epoch is already handled
        Assert.Equal(0, wallet.InFlight);
        Assert.Equal(epoch + 1, wallet.Epoch);
        Assert.False(wallet.TryPrepareToSign(out _, out bool mustFetch));
        Assert.True(mustFetch);
        Assert.False(wallet.TryPrepareToSign(out _, out mustFetch)); // fetch under way: not twice
        Assert.False(mustFetch);
        wallet.SetFetchedNonce(wallet.FetchEpoch, 7);
        Assert.True(wallet.TryPrepareToSign(out int after, out _));
        Assert.Equal(epoch + 1, after);
        Assert.Equal(7ul, wallet.NextNonce);
        Assert.Equal(1, wallet.Resyncs);
    }

    [Fact]
    public void A_resync_requested_during_a_fetch_discards_the_stale_answer()
    {
        Wallet wallet = WalletSet.Derive(TestKeys.Funder, "resync", 1, Shard.Single, 1, 1).All[0];
        wallet.RequestResync();
        Assert.False(wallet.TryPrepareToSign(out _, out bool mustFetch));
        Assert.True(mustFetch);
        int fetchEpoch = wallet.FetchEpoch;
        wallet.RequestResync();                 // e.g. the circuit breaker, while the fetch is under way
        wallet.SetFetchedNonce(fetchEpoch, 99); // answer for the old epoch: ignored
        Assert.False(wallet.TryPrepareToSign(out int epoch, out mustFetch));
        Assert.True(mustFetch);                 // a fresh fetch is needed
        wallet.SetFetchedNonce(wallet.FetchEpoch, 5);
        Assert.True(wallet.TryPrepareToSign(out int signEpoch, out _));
        Assert.Equal(epoch, signEpoch);
        Assert.Equal(5ul, wallet.NextNonce);
    }

    [Fact]
    public void Signer_never_pairs_a_new_epoch_with_an_old_nonce_under_concurrent_resyncs()
    {
        Wallet wallet = WalletSet.Derive(TestKeys.Funder, "race", 1, Shard.Single, 1, 1).All[0];
        var fetched = new Dictionary<int, ulong>(); // epoch -> nonce the resync gave it (each fetch answers 1000 * epoch)
        var next = new Dictionary<int, ulong>();    // epoch -> the nonce a tx of that epoch must carry next
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var requester = new Thread(() => { while (!stop.IsCancellationRequested) { wallet.RequestResync(); Thread.SpinWait(500); } });
        requester.Start();
        int violations = 0, sent = 0;
        while (!stop.IsCancellationRequested)
        {
            if (!wallet.TryPrepareToSign(out int epoch, out bool mustFetch))
            {
                if (mustFetch)
                {
                    int fetchEpoch = wallet.FetchEpoch;
                    fetched[fetchEpoch] = 1000UL * (ulong)fetchEpoch;
                    wallet.SetFetchedNonce(fetchEpoch, fetched[fetchEpoch]);
                }
                continue;
            }
            ulong nonce = wallet.NextNonce++;
            if (epoch != wallet.Epoch) continue; // stale: the sender would discard it
            // A tx stamped with epoch E must continue the sequence that E's resync started.
            if (!fetched.ContainsKey(epoch) && epoch != 0) { violations++; continue; }
            ulong expected = next.TryGetValue(epoch, out ulong n) ? n : fetched.GetValueOrDefault(epoch);
            if (nonce != expected) violations++;
            next[epoch] = nonce + 1;
            sent++;
        }
        requester.Join();
        Assert.Equal(0, violations);
        Assert.True(wallet.Resyncs > 10 && sent > 100, $"only {wallet.Resyncs} resyncs and {sent} sends happened");
    }

    [Fact]
    public void Taking_nonces_returns_the_tx_nonce_and_moves_on_by_the_count()
    {
        Wallet wallet = WalletSet.Derive(TestKeys.Funder, "take", 1, Shard.Single, 1, 1).All[0];
        wallet.NextNonce = 4;
        Assert.Equal(4ul, wallet.TakeNonces(2)); // EIP-7702 tx 4 with its authorization at 5
        Assert.Equal(6ul, wallet.TakeNonces(1));
        Assert.Equal(7ul, wallet.NextNonce);
    }

    [Fact]
    public void Inclusion_wait_ends_only_for_the_awaited_tx_on_inclusion_failure_discard_or_timeout()
    {
        Wallet wallet = WalletSet.Derive(TestKeys.Funder, "gate", 1, Shard.Single, 1, 1).All[0];
        const long timeout = 1_000;
        Assert.False(wallet.IsAwaitingInclusion(0, timeout, out bool timedOut));
        Assert.False(timedOut);

        wallet.AwaitInclusion(txId: 11, nowTicks: 100);
        wallet.OnIncluded(10);                      // another tx's inclusion: still waiting
        wallet.ReleaseInclusionWait(12);            // another tx's discard: still waiting
        Assert.True(wallet.IsAwaitingInclusion(500, timeout, out _));
        wallet.OnIncluded(11);
        Assert.False(wallet.IsAwaitingInclusion(500, timeout, out timedOut));
        Assert.False(timedOut);

        wallet.AwaitInclusion(12, 100);
        wallet.ReleaseInclusionWait(12);
        Assert.False(wallet.IsAwaitingInclusion(500, timeout, out _));

        Assert.True(wallet.TryPrepareToSign(out int epoch, out _));
        wallet.AwaitInclusion(13, 100);
        wallet.RecordSent();
        wallet.Invalidate(epoch);                   // the awaited tx failed: it is not in the pool
        Assert.False(wallet.IsAwaitingInclusion(500, timeout, out _));

        wallet.AwaitInclusion(14, 100);
        Assert.True(wallet.IsAwaitingInclusion(100 + timeout - 1, timeout, out timedOut));
        Assert.False(wallet.IsAwaitingInclusion(100 + timeout, timeout, out timedOut));
        Assert.True(timedOut);                      // reported once: the caller resyncs
        Assert.False(wallet.IsAwaitingInclusion(100 + timeout, timeout, out timedOut));
        Assert.False(timedOut);
    }

    [Fact]
    public void Circuit_breaker_opens_on_error_spike_and_ramps_back()
    {
        var breaker = new CircuitBreaker { OpenDuration = TimeSpan.FromSeconds(1), RampDuration = TimeSpan.FromSeconds(2) };
        long f = System.Diagnostics.Stopwatch.Frequency;
        Assert.False(breaker.Observe(0, 0, 0, 0, 0));
        Assert.False(breaker.Observe(f / 2, 1000, 10, 1000, 0)); // 1% errors: fine
        Assert.True(breaker.Observe(f, 2000, 200, 2000, 0));     // 10% errors over the window: open
        Assert.Equal(0.1, breaker.Multiplier, 3);
        Assert.False(breaker.Observe(f * 3 / 2, 2000, 200, 2000, 0));
        Assert.Equal(0.1, breaker.Multiplier, 3);                // still open
        breaker.Observe(f * 3, 2100, 200, 2100, 0);              // 1 s into the 2 s ramp
        Assert.Equal(0.55, breaker.Multiplier, 2);
        breaker.Observe(f * 5, 2300, 200, 2300, 0);
        Assert.Equal(1.0, breaker.Multiplier, 3);
        Assert.Equal(1, breaker.Trips);
    }
}
