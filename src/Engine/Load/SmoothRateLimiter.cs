using FastLoad.Engine.Shapes;

namespace FastLoad.Engine.Load;

/// <summary>
/// The constant shape's tokens: token k is due at start + k / rate, so there are no bursts. A sender that falls behind
/// sees the backlog as due tokens with their intended times, which is what latency is later measured from (no
/// coordinated omission).
/// </summary>
public sealed class SmoothRateLimiter(double tokensPerSecond, long startTicks)
    : TokenLimiter(new ConstantShape(tokensPerSecond).ForNode(0, 1, new BlockClock()), startTicks)
{
    public double Rate { get; } = tokensPerSecond;
}
