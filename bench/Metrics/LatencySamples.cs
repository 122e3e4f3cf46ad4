namespace FastLoad.Benchmarks.Metrics;

/// <summary>
/// The synthetic latency distribution every histogram benchmark and the percentile-error report use: microseconds,
/// log-normal around a 2 ms median (σ = 1: most values 0.3–15 ms), with 1 % of stalls spread over 50–500 ms.
/// Fixed seed, so every run sees the same values.
/// </summary>
public static class LatencySamples
{
    public static long[] Generate(int count, int seed = 42)
    {
        var random = new Random(seed);
        long[] values = new long[count];
        for (int i = 0; i < count; i++)
        {
            if (random.NextDouble() < 0.01)
            {
                values[i] = 50_000 + (long)(random.NextDouble() * 450_000);
                continue;
            }
            // Box-Muller: a standard normal.
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = (long)Math.Exp(Math.Log(2_000) + normal);
        }
        return values;
    }
}
