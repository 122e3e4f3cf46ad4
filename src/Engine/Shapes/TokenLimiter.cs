namespace FastLoad.Engine.Shapes;

/// <summary>
/// A sender's tokens from an <see cref="ArrivalSchedule"/>: which are due now, which the sender took, and each one's
/// intended time (absolute stopwatch ticks). Tokens taken but not used are given back and keep their intended times,
/// so a sender that falls behind sees the backlog as due tokens (measured from when they were meant to go).
/// </summary>
public class TokenLimiter
{
    private readonly ArrivalSchedule _schedule;
    private long _issued;

    public TokenLimiter(ArrivalSchedule schedule, long startTicks)
    {
        _schedule = schedule;
        StartTicks = startTicks;
    }

    public long StartTicks { get; }

    /// <summary>Tokens taken so far.</summary>
    public long Issued => _issued;

    /// <summary>Tokens due at <paramref name="nowTicks"/> and not yet taken.</summary>
    public long Available(long nowTicks) => Math.Max(0, _schedule.DueCount(nowTicks - StartTicks) - _issued);

    /// <summary>The intended time of the next token (<see cref="ArrivalSchedule.Unknown"/> if not known yet).</summary>
    public long NextDueTicks => IntendedTicks(_issued);

    /// <summary>Intended time of the token with index <paramref name="k"/> (<see cref="ArrivalSchedule.Unknown"/> if not known yet).</summary>
    public long IntendedTicks(long k)
    {
        long t = _schedule.IntendedTicks(k);
        return t == ArrivalSchedule.Unknown ? t : StartTicks + t;
    }

    /// <summary>The scheduled tx/s at <paramref name="nowTicks"/>.</summary>
    public double RateAt(long nowTicks) => _schedule.RateAt(nowTicks - StartTicks);

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
