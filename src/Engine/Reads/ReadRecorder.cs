using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Results;

namespace FastLoad.Engine.Reads;

/// <summary>
/// Every read's outcome: latency from its intended time (a sender or node that falls behind shows as latency: no
/// coordinated omission) and from when it went out, counts per node and outcome, and a row for the results file.
/// Runs on the connections' reader threads; allocates nothing (except the first time an error text is seen).
/// </summary>
public sealed class ReadRecorder
{
    private static readonly int Outcomes = ReadOutcomes.All.Count;
    private readonly long[] _sent;
    private readonly long[] _answered;
    private readonly long[] _errors;
    private readonly long[] _byOutcome = new long[Outcomes];
    private readonly long[] _byNodeOutcome; // node * outcomes + outcome
    private long _nextId;

    public ReadRecorder(int nodes, ResultsWriter? results)
    {
        _sent = new long[nodes];
        _answered = new long[nodes];
        _errors = new long[nodes];
        _byNodeOutcome = new long[nodes * Outcomes];
        var byNode = new LatencyHistogram[nodes];
        for (int i = 0; i < nodes; i++) byNode[i] = new LatencyHistogram();
        LatencyByNode = byNode;
        Results = results;
    }

    public int Nodes => _sent.Length;

    public ResultsWriter? Results { get; }

    /// <summary>Answer time minus intended time (µs), every answered or failed read.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Answer time minus send time (µs).</summary>
    public LatencyHistogram LatencyFromSent { get; } = new();

    /// <summary>Answer time minus intended time (µs), per node (for <c>/metrics</c>).</summary>
    public IReadOnlyList<LatencyHistogram> LatencyByNode { get; }

    public long Sent => Sum(_sent);

    /// <summary>Reads with an outcome (ok or not).</summary>
    public long Answered => Sum(_answered);

    public long Errors => Sum(_errors);

    public long Ok => Interlocked.Read(ref _byOutcome[(int)ReadOutcome.Ok]);

    public long SentAt(int node) => Interlocked.Read(ref _sent[node]);

    public long AnsweredAt(int node) => Interlocked.Read(ref _answered[node]);

    public long ErrorsAt(int node) => Interlocked.Read(ref _errors[node]);

    public long Count(ReadOutcome outcome) => Interlocked.Read(ref _byOutcome[(int)outcome]);

    /// <summary>Reads of <paramref name="node"/> answered with <paramref name="outcome"/>.</summary>
    public long CountAt(int node, ReadOutcome outcome) => Interlocked.Read(ref _byNodeOutcome[node * Outcomes + (int)outcome]);

    /// <summary>A run-wide read id (1, 2, ...).</summary>
    public long NextId() => Interlocked.Increment(ref _nextId);

    public void OnSent(int node) => Interlocked.Increment(ref _sent[node]);

    /// <summary>Interns an error text for the results (0 when no file is written or the text is empty).</summary>
    public int InternError(ReadOutcome outcome, ReadOnlySpan<byte> message) =>
        Results is { } results && !message.IsEmpty ? results.Errors.Intern(ReadOutcomes.ErrorClass(outcome), message) : 0;

    public void OnAnswered(int node, long id, ReadMethod method, ReadOutcome outcome, long intendedTicks, long sentTicks, long ackTicks, int errorId)
    {
        long latency = RunRecorder.Micros(ackTicks - intendedTicks);
        Latency.RecordConcurrent(latency);
        LatencyByNode[node].RecordConcurrent(latency);
        LatencyFromSent.RecordConcurrent(RunRecorder.Micros(ackTicks - sentTicks));
        Interlocked.Increment(ref _answered[node]);
        Interlocked.Increment(ref _byOutcome[(int)outcome]);
        Interlocked.Increment(ref _byNodeOutcome[node * Outcomes + (int)outcome]);
        if (outcome != ReadOutcome.Ok) Interlocked.Increment(ref _errors[node]);
        Results?.AddRead(new ReadRecord
        {
            Id = id, Node = (byte)node, Method = (byte)method, Outcome = (byte)outcome, ErrorId = errorId,
            IntendedTicks = intendedTicks, SentTicks = sentTicks, AckTicks = ackTicks,
        });
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (int i = 0; i < counts.Length; i++) sum += Interlocked.Read(ref counts[i]);
        return sum;
    }

}
