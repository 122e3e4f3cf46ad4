using System.Diagnostics;

namespace FastLoad.Engine.Load;

/// <summary>
/// Watches error and revocation rates over a sliding window. When either crosses its threshold the
/// breaker opens: the run drops to <see cref="OpenRateFraction"/> of its rate and every wallet is
/// resynced; after <see cref="OpenDuration"/> it ramps back to full rate over <see cref="RampDuration"/>.
/// A new spike during the ramp opens it again.
/// </summary>
public sealed class CircuitBreaker
{
    private readonly object _gate = new();
    private readonly (long Ticks, long Sent, long Errors, long Signed, long Revoked)[] _window = new (long, long, long, long, long)[64];
    private int _head;
    private int _count;
    private long _openedAt = -1;

    public double ErrorThreshold { get; init; } = 0.05;

    public double RevocationThreshold { get; init; } = 0.20;

    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Minimum txs in the window before rates mean anything.</summary>
    public long MinSample { get; init; } = 50;

    public double OpenRateFraction { get; init; } = 0.1;

    public TimeSpan OpenDuration { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RampDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int Trips { get; private set; }

    /// <summary>Fraction of the target rate to send now, 0..1.</summary>
    public double Multiplier { get; private set; } = 1.0;

    public bool IsOpen => Multiplier < 1.0;

    /// <summary>
    /// Feeds cumulative counters (called periodically, e.g. every 100 ms). Returns true when the breaker
    /// has just opened, so the caller resyncs every wallet.
    /// </summary>
    public bool Observe(long nowTicks, long sent, long errors, long signed, long revoked)
    {
        lock (_gate)
        {
            _window[_head] = (nowTicks, sent, errors, signed, revoked);
            _head = (_head + 1) % _window.Length;
            _count = Math.Min(_count + 1, _window.Length);
            var oldest = _window[(_head - _count + _window.Length) % _window.Length];
            long windowTicks = (long)(Window.TotalSeconds * Stopwatch.Frequency);
            for (int i = _count; i > 1; i--)
            {
                var candidate = _window[(_head - i + _window.Length) % _window.Length];
                if (nowTicks - candidate.Ticks <= windowTicks) { oldest = candidate; break; }
            }
            long dSent = sent - oldest.Sent, dErrors = errors - oldest.Errors, dSigned = signed - oldest.Signed, dRevoked = revoked - oldest.Revoked;
            bool spike = (dSent >= MinSample && dErrors > ErrorThreshold * dSent)
                      || (dSigned >= MinSample && dRevoked > RevocationThreshold * dSigned);

            if (_openedAt >= 0)
            {
                double openFor = (nowTicks - _openedAt) / (double)Stopwatch.Frequency;
                double rampFor = openFor - OpenDuration.TotalSeconds;
                if (rampFor < 0) { Multiplier = OpenRateFraction; return false; }
                if (spike && rampFor > Window.TotalSeconds) return Open(nowTicks);
                Multiplier = Math.Min(1.0, OpenRateFraction + (1 - OpenRateFraction) * rampFor / RampDuration.TotalSeconds);
                if (Multiplier >= 1.0) _openedAt = -1;
                return false;
            }
            return spike && Open(nowTicks);
        }
    }

    private bool Open(long nowTicks)
    {
        _openedAt = nowTicks;
        Multiplier = OpenRateFraction;
        Trips++;
        _count = 0;
        return true;
    }
}
