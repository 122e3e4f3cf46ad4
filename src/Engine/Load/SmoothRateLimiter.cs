using System.Diagnostics;

namespace FastLoad.Engine.Load;

/// <summary>
/// Releases tokens evenly in time — token k is due at start + k / rate — so there are no bursts:
/// a sender that falls behind sees the backlog as due tokens with their intended times, which is
/// what latency is later measured from (no coordinated omission).
/// </summary>
public sealed class SmoothRateLimiter
{
    private readonly double _ticksPerToken;
    private long _issued;

    public SmoothRateLimiter(double tokensPerSecond, long startTicks)
    {
        if (!(tokensPerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(tokensPerSecond), "rate must be positive");
        Rate = tokensPerSecond;
        StartTicks = startTicks;
        _ticksPerToken = Stopwatch.Frequency / tokensPerSecond;
    }

    public double Rate { get; }

    public long StartTicks { get; }

    /// <summary>Tokens taken so far.</summary>
    public long Issued => _issued;

    /// <summary>Tokens due at <paramref name="nowTicks"/> and not yet taken.</summary>
    public long Available(long nowTicks)
    {
        long due = (long)((nowTicks - StartTicks) / _ticksPerToken) + 1;
        return Math.Max(0, due - _issued);
    }

    /// <summary>The intended time of the next token.</summary>
    public long NextDueTicks => StartTicks + (long)(_issued * _ticksPerToken);

    /// <summary>Intended time of the token with index <paramref name="k"/>.</summary>
    public long IntendedTicks(long k) => StartTicks + (long)(k * _ticksPerToken);

    /// <summary>Takes up to <paramref name="max"/> due tokens; returns how many, and the index of the first.</summary>
    public int Take(long nowTicks, int max, out long firstToken)
    {
        firstToken = _issued;
        int take = (int)Math.Min(max, Available(nowTicks));
        _issued += take;
        return take;
    }

    /// <summary>Gives back tokens taken but not used (nothing was ready to send).</summary>
    public void Return(int count) => _issued -= count;
}
