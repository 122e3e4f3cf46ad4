using FastLoad.Engine.Load;
using FastLoad.Runner.Report;

namespace FastLoad.Tests.Load;

/// <summary>The bottleneck decision rule on synthetic evidence: each verdict, and "unclear" whenever the evidence is not one-sided.</summary>
public class BottleneckTests
{
    /// <summary>10 s of sending on one node, 100 ring polls; waits as shares of the senders' time.</summary>
    private static BottleneckEvidence Evidence(double signingWait = 0, double networkWait = 0, double ringEmpty = 0, double ringFull = 0,
        double? signerBusy = 1, double? target = null, long sent = 100_000, long? intended = null, long unsent = 0, long errors = 0,
        int breakerTrips = 0, double seconds = 10, int polls = 100, int signerThreads = 2) => new()
    {
        SendSeconds = seconds, Senders = 1, WaitSigningMs = signingWait * seconds * 1000, WaitNetworkMs = networkWait * seconds * 1000,
        RingPolls = polls, RingEmptyFraction = ringEmpty, RingFullFraction = ringFull, SignerThreads = signerThreads, SignerBusyFraction = signerBusy,
        CpuFraction = 0.9, Cores = 2, MachineCpuFraction = 1.0, TargetRate = target, Intended = intended, Sent = sent, Unsent = unsent, Errors = errors,
        BreakerTrips = breakerTrips,
    };

    [Fact]
    public void A_met_target_is_bound_by_rate()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(ringFull: 1, signerBusy: 0.05, target: 200, sent: 2_000, intended: 2_000));
        Assert.Equal(BoundBy.Rate, v.Bound);
        Assert.StartsWith("bound by: rate (sent 100 % of the 200 tx/s target; senders waited 0 % of the time for signed txs, 0 % for the network;", BottleneckText.Line(v));
    }

    [Fact]
    public void A_target_met_while_the_senders_mostly_waited_for_the_node_is_at_the_limit_not_rate()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(networkWait: 0.7, ringFull: 1, target: 5_000, sent: 50_000, intended: 50_000));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.AtLimit, v.Reason);
        Assert.StartsWith("bound by: unclear (target met at the limit: sent 100 % of the 5,000 tx/s target;", BottleneckText.Line(v));
    }

    [Fact]
    public void A_missed_target_is_never_rate()
    {
        // 90 % of what was due went out: the run fell behind, so something else limited it (here the node).
        BottleneckVerdict v = Bottleneck.Judge(Evidence(networkWait: 0.8, ringFull: 0.9, target: 10_000, sent: 90_000, intended: 100_000, unsent: 10_000));
        Assert.Equal(BoundBy.Node, v.Bound);
    }

    [Fact]
    public void Senders_waiting_for_the_network_with_a_full_ring_are_bound_by_the_node()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.01, networkWait: 0.95, ringFull: 0.93, signerBusy: 0.5));
        Assert.Equal(BoundBy.Node, v.Bound);
        Assert.Equal(UnclearReason.None, v.Reason);
    }

    [Fact]
    public void A_ring_empty_in_nearly_every_poll_makes_network_waits_no_reason_against_signing()
    {
        // Seen in CI: one slow signer, an in-process sink sharing the other core; tiny batches filled the pipelining slots.
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.60, networkWait: 0.37, ringEmpty: 1.0, signerBusy: 1.0, signerThreads: 1));
        Assert.Equal(BoundBy.Signing, v.Bound);
        // The same waits with a ring empty in only 80 % of polls stay unclear (mixed): the network may have held some back.
        BottleneckVerdict mixed = Bottleneck.Judge(Evidence(signingWait: 0.60, networkWait: 0.37, ringEmpty: 0.8, signerBusy: 1.0, signerThreads: 1));
        Assert.Equal(BoundBy.Unclear, mixed.Bound);
        Assert.Equal(UnclearReason.Mixed, mixed.Reason);
    }

    [Fact]
    public void Senders_waiting_for_signed_txs_with_busy_signers_are_bound_by_signing()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.71, networkWait: 0.05, ringEmpty: 0.68, signerBusy: 0.97));
        Assert.Equal(BoundBy.Signing, v.Bound);
        string line = BottleneckText.Line(v);
        Assert.StartsWith("bound by: signing (--max: 10,000 tx/s; senders waited 71 % of the time for signed txs, 5 % for the network; ring empty 68 %", line);
        Assert.Contains("signers 2 threads 97 % busy", line);
    }

    [Fact]
    public void Network_waits_while_the_ring_stays_empty_do_not_outweigh_signing()
    {
        // A real sink --max run on this machine: the senders also waited 24 % for the in-process sink, but the ring was
        // empty 94 % of the time, so a faster node would have had nothing more to take.
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.71, networkWait: 0.24, ringEmpty: 0.94, signerBusy: 1));
        Assert.Equal(BoundBy.Signing, v.Bound);
    }

    [Fact]
    public void Network_waits_with_an_empty_ring_are_not_blamed_on_the_node()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.2, networkWait: 0.6, ringEmpty: 0.7, signerBusy: 1));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.Mixed, v.Reason);
    }

    [Fact]
    public void A_ready_ring_free_slots_and_no_errors_leave_the_sender_loop_itself_as_the_limit()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.02, networkWait: 0.03, ringFull: 0.9, signerBusy: 0.3));
        Assert.Equal(BoundBy.Sending, v.Bound);
    }

    [Fact]
    public void Waits_for_both_signing_and_the_network_are_mixed_not_a_guess()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.35, networkWait: 0.35, ringEmpty: 0.4, ringFull: 0.3));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.Mixed, v.Reason);
        Assert.StartsWith("bound by: unclear (mixed: --max: 10,000 tx/s; senders waited 35 % of the time for signed txs, 35 % for the network;", BottleneckText.Line(v));
    }

    [Fact]
    public void A_dominant_network_wait_with_a_large_signing_wait_beside_it_is_mixed()
    {
        // 55 % network is past the node threshold, but 30 % of the time the ring was empty too: not one-sided.
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.3, networkWait: 0.55, ringEmpty: 0.3, ringFull: 0.3));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.Mixed, v.Reason);
    }

    [Fact]
    public void An_empty_ring_with_idle_signers_is_not_blamed_on_signing()
    {
        // Wallets waiting for resyncs or inclusions: the signers had nothing to sign, so signing speed is not the limit.
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.8, ringEmpty: 0.9, signerBusy: 0.1));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.SignersIdle, v.Reason);
    }

    [Fact]
    public void Signing_waits_of_a_replay_are_not_blamed_on_signers_that_did_not_run()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.8, ringEmpty: 0.9, signerBusy: null, signerThreads: 0));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Contains("txs replayed from a file", BottleneckText.Line(v));
    }

    [Fact]
    public void A_node_refusing_txs_fast_is_not_called_a_sending_limit()
    {
        // No waits and a full ring would read as "sending", but 30 % of the txs were refused and the breaker tripped.
        BottleneckVerdict v = Bottleneck.Judge(Evidence(ringFull: 0.9, errors: 30_000, breakerTrips: 2));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.NodeErrors, v.Reason);
    }

    [Fact]
    public void Nothing_saturated_is_unclear()
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(signingWait: 0.05, networkWait: 0.05, ringEmpty: 0.3, ringFull: 0.3));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.NoSignal, v.Reason);
    }

    [Theory]
    [InlineData(0.5, 100)]
    [InlineData(10, 3)]
    public void A_run_too_short_to_judge_says_so(double seconds, int polls)
    {
        BottleneckVerdict v = Bottleneck.Judge(Evidence(networkWait: 0.99, ringFull: 1, seconds: seconds, polls: polls));
        Assert.Equal(BoundBy.Unclear, v.Bound);
        Assert.Equal(UnclearReason.TooShort, v.Reason);
    }
}
