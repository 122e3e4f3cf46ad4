using System.Buffers;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Infrastructure;

/// <summary>
/// Counts 200 answers on a <see cref="PipelinedHttpConnection"/>; completes a fresh task when a target count is
/// reached. Any other status or a transport failure counts in <see cref="Failures"/> and fails the waiting task.
/// Allocates nothing per answer (the allocation tests measure through it).
/// </summary>
public sealed class CountingResponseHandler : IRpcResponseHandler
{
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Failures;

    public Task Until(int target)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, target);
        if (Volatile.Read(ref _count) >= target) _reached.TrySetResult();
        return _reached.Task;
    }

    public void OnResponse(int status, ReadOnlySequence<byte> body, object? state)
    {
        if (status != 200)
        {
            Interlocked.Increment(ref Failures);
            _reached.TrySetException(new InvalidOperationException($"HTTP {status}"));
            return;
        }
        if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _target)) _reached.TrySetResult();
    }

    public void OnFailure(TxOutcome reason, string message, object? state)
    {
        Interlocked.Increment(ref Failures);
        _reached.TrySetException(new InvalidOperationException(message));
    }
}

/// <summary>What a batch of round trips cost: sends that completed synchronously / waited, and the bytes each kind
/// allocated on the sender thread; the whole process's allocation over the batch.</summary>
public readonly record struct RoundTripFigures(int Sync, long SyncBytes, int Async, long AsyncBytes, long ProcessBytes)
{
    public long SenderBytes => SyncBytes + AsyncBytes;
}

public static class SendRoundTrips
{
    /// <summary>Sends <paramref name="body"/> <paramref name="count"/> times and waits until the handler has seen
    /// <paramref name="start"/> + <paramref name="count"/> answers, measuring allocation on the way.</summary>
    public static async Task<RoundTripFigures> RunAsync(PipelinedHttpConnection connection, CountingResponseHandler handler, byte[] body, int start, int count)
    {
        Task done = handler.Until(start + count);
        int sync = 0, async = 0;
        long syncBytes = 0, asyncBytes = 0;
        long processBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < count; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            ValueTask send = connection.SendAsync(body, handler, null, CancellationToken.None);
            long spent = GC.GetAllocatedBytesForCurrentThread() - before;
            if (send.IsCompletedSuccessfully)
            {
                sync++;
                syncBytes += spent;
            }
            else
            {
                async++;
                asyncBytes += spent;
                await send;
            }
        }
        await done.WaitAsync(TimeSpan.FromSeconds(30));
        long processBytes = GC.GetTotalAllocatedBytes(precise: true) - processBefore;
        return new RoundTripFigures(sync, syncBytes, async, asyncBytes, processBytes);
    }
}
