namespace FastLoad.Engine.Rpc;

/// <summary>One retry about to happen, for logging: "eth_chainId: HTTP 503 …, try 2 of 6 in 0.3 s".</summary>
/// <param name="What">The call (method, or "batch of N (method…)").</param>
/// <param name="FailedAttempts">Tries so far, all failed.</param>
/// <param name="MaxAttempts">The policy's bound.</param>
/// <param name="Delay">The wait before the next try.</param>
/// <param name="Reason">Why the last try failed, one line.</param>
public readonly record struct RpcRetry(string What, int FailedAttempts, int MaxAttempts, TimeSpan Delay, string Reason)
{
    public override string ToString() =>
        FormattableString.Invariant($"{What}: {Reason}; try {FailedAttempts + 1} of {MaxAttempts} in {Delay.TotalSeconds:0.0#} s");
}

/// <summary>
/// How <see cref="RpcClient"/> retries a set-up call: which failures are transient (HTTP 429 and 5xx, a connection refused,
/// reset or closed, no response in time, a 2xx body that is not JSON) and how long to wait: exponential backoff with
/// jitter, at least a server's <c>Retry-After</c> (capped), at most <see cref="MaxAttempts"/> tries and
/// <see cref="MaxTotalDelay"/> of waiting in all. A JSON-RPC error is an answer, never retried.
/// </summary>
/// <remarks>
/// Pure apart from <see cref="Delay"/> and <see cref="Jitter"/>, which tests replace to run without sleeping.
/// The default waits, before tries 2..6: 0.25, 0.5, 1, 2, 4 s, each times a factor in [0.5, 1): under 8 s in all
/// without Retry-After, and never more than 15 s of waiting.
/// </remarks>
public sealed class RpcRetryPolicy
{
    /// <summary>6 tries, 250 ms base, 4 s cap per wait, Retry-After honoured up to 5 s, 15 s of waiting at most.</summary>
    public static RpcRetryPolicy Default { get; } = new();

    /// <summary>One try: the behaviour before retries existed.</summary>
    public static RpcRetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>Tries in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The wait before the second try (before jitter); it doubles for each further try.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest backoff wait (a longer Retry-After, up to <see cref="MaxRetryAfter"/>, still counts).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>The most of a server's Retry-After that is honoured.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Waiting in all (not counting the tries themselves) after which the call gives up.</summary>
    public TimeSpan MaxTotalDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Waits; tests pass one that records the delay and returns at once.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = static (delay, ct) => Task.Delay(delay, ct);

    /// <summary>A uniform number in [0, 1) for the jitter (thread-safe).</summary>
    public Func<double> Jitter { get; init; } = static () => Random.Shared.NextDouble();

    /// <summary>Called before each wait, e.g. to log it.</summary>
    public Action<RpcRetry>? OnRetry { get; init; }

    /// <summary>HTTP statuses worth another try: 429 and 5xx.</summary>
    public static bool IsTransientStatus(int status) => status == 429 || status is >= 500 and < 600;

    /// <summary>
    /// The wait before the next try after <paramref name="failedAttempts"/> failed tries with <paramref name="waited"/>
    /// waited so far, or null to give up. <paramref name="retryAfter"/> is the server's Retry-After, if any.
    /// </summary>
    public TimeSpan? NextDelay(int failedAttempts, TimeSpan? retryAfter, TimeSpan waited)
    {
        if (failedAttempts >= MaxAttempts) return null;
        double backoff = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(failedAttempts - 1, 0)), MaxDelay.TotalMilliseconds);
        // "Equal jitter": half fixed, half random, so clients that failed together spread out but none retries at once.
        TimeSpan delay = TimeSpan.FromMilliseconds(backoff * (0.5 + 0.5 * Math.Clamp(Jitter(), 0, 1)));
        if (retryAfter is TimeSpan asked)
        {
            TimeSpan honoured = asked < MaxRetryAfter ? asked : MaxRetryAfter;
            if (honoured > delay) delay = honoured;
        }
        return waited + delay > MaxTotalDelay ? null : delay;
    }
}
