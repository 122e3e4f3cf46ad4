using System.Diagnostics;
using FastLoad.Engine.Load;

namespace FastLoad.Tests.Load;

public class SmoothRateLimiterTests
{
    private static long Seconds(double s) => (long)(s * Stopwatch.Frequency);

    [Fact]
    public void Releases_tokens_evenly_without_bursts()
    {
        var limiter = new SmoothRateLimiter(1000, startTicks: 0);
        Assert.Equal(1, limiter.Available(0));               // token 0 is due at start
        Assert.Equal(11, limiter.Available(Seconds(0.0105))); // tokens 0..10 due after 10.5 ms
        Assert.Equal(5, limiter.Take(Seconds(0.0105), 5, out long first));
        Assert.Equal(0, first);
        Assert.Equal(6, limiter.Available(Seconds(0.0105)));
        Assert.Equal(Seconds(0.005), limiter.NextDueTicks);
    }

    [Fact]
    public void Returned_tokens_keep_their_intended_times()
    {
        var limiter = new SmoothRateLimiter(100, startTicks: 0);
        limiter.Take(Seconds(1), 50, out long first);
        limiter.Return(20);
        limiter.Take(Seconds(1), 10, out long again);
        Assert.Equal(0, first);
        Assert.Equal(30, again);
        Assert.Equal(Seconds(0.30), limiter.IntendedTicks(again));
    }

    [Fact]
    public void Rejects_non_positive_rate() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmoothRateLimiter(0, 0));
}
