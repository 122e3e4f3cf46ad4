using System.Text;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Sink;

namespace FastLoad.Tests.Sink;

/// <summary>The <c>--faults</c> SPEC: every fault and parameter, the one-line errors, and the seeded draws.</summary>
public class SinkFaultPlanTests
{
    [Fact]
    public void Parses_every_request_fault_with_its_rate_and_parameters()
    {
        SinkFaultPlan plan = SinkFaultPlan.Parse(
            "429:5%:retry-after=2, 500:1%,503:2%:retry-after=3,reset-before:1%,reset-after:1%,cut:1%,slow:3%:delay=500ms,malformed:0.5%,missing-ids:2%,extra-ids:1%", seed: 9);
        Assert.Equal(9UL, plan.Seed);
        Assert.Equal(
            ["429", "500", "503", "reset-before", "reset-after", "cut", "slow", "malformed", "missing-ids", "extra-ids"],
            plan.Requests.Select(r => r.Name));
        Assert.Equal(0.05, plan.Requests[0].Rate, 12);
        Assert.Equal(2, plan.Requests[0].RetryAfterSeconds);
        Assert.Null(plan.Requests[1].RetryAfterSeconds);
        Assert.Equal(3, plan.Requests[2].RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromMilliseconds(500), plan.Requests[6].Delay);
        Assert.Equal(0.005, plan.Requests[7].Rate, 12);
        Assert.Empty(plan.TxErrors);
    }

    [Fact]
    public void Defaults_are_retry_after_1_for_429_and_a_1s_delay_for_slow()
    {
        SinkFaultPlan plan = SinkFaultPlan.Parse("429:1%,slow:1%,503:1%");
        Assert.Equal(1, plan.Requests[0].RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromSeconds(1), plan.Requests[1].Delay);
        Assert.Null(plan.Requests[2].RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromSeconds(2.5), SinkFaultPlan.Parse("slow:1%:delay=2.5s").Requests[0].Delay);
    }

    [Fact]
    public void Parses_tx_errors_with_the_clients_own_words()
    {
        SinkFaultPlan plan = SinkFaultPlan.Parse("tx-error:nonce-too-low:geth:1%,tx-error:already-known:hardhat:2%,tx-error:txpool-full:reth:0.1%");
        Assert.Equal(["tx-error:nonce-too-low:geth", "tx-error:already-known:hardhat", "tx-error:txpool-full:reth"], plan.TxErrors.Select(r => r.Name));
        Assert.Equal((-32000, "nonce too low"), (plan.TxErrors[0].Code, plan.TxErrors[0].Message));
        Assert.Equal("Known transaction: {hash}", plan.TxErrors[1].Message);
        Assert.Equal((-32003, "txpool is full"), (plan.TxErrors[2].Code, plan.TxErrors[2].Message));
        Assert.Equal(0.02, plan.TxErrors[1].Rate, 12);
    }

    public static TheoryData<TxErrorKind, TxOutcome> ErrorOutcomes => new()
    {
        { TxErrorKind.NonceTooLow, TxOutcome.NonceTooLow },
        { TxErrorKind.NonceTooHigh, TxOutcome.NonceTooHigh },
        { TxErrorKind.AlreadyKnown, TxOutcome.AlreadyKnown },
        { TxErrorKind.ReplacementUnderpriced, TxOutcome.Underpriced },
        { TxErrorKind.Underpriced, TxOutcome.Underpriced },
        { TxErrorKind.InsufficientFunds, TxOutcome.InsufficientFunds },
        { TxErrorKind.TxPoolFull, TxOutcome.PoolFull },
    };

    [Theory]
    [MemberData(nameof(ErrorOutcomes))]
    public void Every_injected_message_is_classified_as_the_error_it_stands_for(TxErrorKind kind, TxOutcome expected)
    {
        int clients = 0;
        foreach (string client in TxErrorMessages.Clients)
        {
            if (!TxErrorMessages.TryGet(kind, client, out int code, out string? message)) continue;
            clients++;
            string text = message.Replace("{hash}", "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060");
            Assert.True(expected == ErrorClassifier.Classify(code, Encoding.UTF8.GetBytes(text)), $"{client} '{text}' is not classified {expected}");
        }
        Assert.True(clients >= 2, $"{kind} has the words of only {clients} client(s)");
    }

    [Theory]
    [InlineData("", "the spec is empty")]
    [InlineData("   ", "the spec is empty")]
    [InlineData("404:1%", "unknown fault '404' in '404:1%'; known: 429, 500, 503, reset-before")]
    [InlineData("503", "'503' has no rate; write it as 503:RATE%")]
    [InlineData("503:5", "rate '5' in '503:5' needs a % sign")]
    [InlineData("503:abc%", "rate 'abc%' in '503:abc%' is not a percentage from 0% to 100%")]
    [InlineData("503:101%", "is not a percentage from 0% to 100%")]
    [InlineData("503:-1%", "is not a percentage")]
    [InlineData("503:1%,,cut:1%", "an empty entry")]
    [InlineData("503:1%,503:2%", "'503' is given twice")]
    [InlineData("429:1%:retry-after=soon", "retry-after 'soon' in '429:1%:retry-after=soon' is not a whole number of seconds")]
    [InlineData("slow:1%:delay=500", "delay '500' in 'slow:1%:delay=500' needs a unit, e.g. delay=500ms")]
    [InlineData("slow:1%:delay=fastms", "is not a duration")]
    [InlineData("cut:1%:delay=1s", "'delay=1s' is not a parameter of cut in 'cut:1%:delay=1s'; it takes no parameters")]
    [InlineData("500:1%:retry-after=1", "is not a parameter of 500")]
    [InlineData("503:60%,429:50%", "the request fault rates add up to 110%, more than 100%")]
    [InlineData("tx-error:nonce-too-low:1%", "is not tx-error:ERROR:CLIENT:RATE")]
    [InlineData("tx-error:gas-too-low:geth:1%", "unknown tx error 'gas-too-low'")]
    [InlineData("tx-error:nonce-too-low:besu:1%", "unknown client 'besu' in 'tx-error:nonce-too-low:besu:1%'; known: geth, reth, anvil, hardhat")]
    [InlineData("tx-error:txpool-full:anvil:1%", "anvil has no 'txpool-full' error in 'tx-error:txpool-full:anvil:1%'; use geth or reth")]
    [InlineData("tx-error:nonce-too-low:geth:60%,tx-error:already-known:geth:60%", "the tx-error rates add up to 120%")]
    [InlineData("tx-error:nonce-too-low:geth:1%,tx-error:nonce-too-low:geth:2%", "is given twice")]
    public void Rejects_bad_specs_with_one_line_naming_the_problem(string spec, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SinkFaultPlan.Parse(spec));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Draws_are_deterministic_for_a_seed_and_hit_the_rates()
    {
        SinkFaultPlan plan = SinkFaultPlan.Parse("503:10%,cut:20%,tx-error:nonce-too-low:geth:5%", seed: 42);
        SinkFaultPlan same = SinkFaultPlan.Parse("503:10%,cut:20%,tx-error:nonce-too-low:geth:5%", seed: 42);
        SinkFaultPlan other = SinkFaultPlan.Parse("503:10%,cut:20%,tx-error:nonce-too-low:geth:5%", seed: 43);
        var counts = new int[2];
        int txErrors = 0, differences = 0;
        for (long n = 0; n < 100_000; n++)
        {
            int rule = plan.DrawRequest(n);
            Assert.Equal(rule, same.DrawRequest(n));
            if (rule != other.DrawRequest(n)) differences++;
            if (rule >= 0) counts[rule]++;
            if (plan.DrawTx(n, (int)(n % 7)) == 0) txErrors++;
        }
        Assert.InRange(counts[0], 9_700, 10_300);
        Assert.InRange(counts[1], 19_600, 20_400);
        Assert.InRange(txErrors, 4_800, 5_200);
        Assert.True(differences > 20_000, $"seeds 42 and 43 differ on only {differences} of 100,000 requests");
    }
}
